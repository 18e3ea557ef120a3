// A ThingsBoard connection from a server URL and one way to sign in: the REST client, and the
// address written to devices beside their credential.
import { StationError } from '../../shared/reasons';
import type { ServerAddress } from '../credentials/generate';
import { ThingsboardClient } from './client';

export interface ServerConnection {
  url: URL;
  client: ThingsboardClient;
  /** The address written to devices: the REST host, and the MQTT port ThingsBoard uses by default. */
  deviceAddress: ServerAddress;
}

export type ServerSignIn = { apiKey: string } | { username: string; password: string };

/** Default MQTT port of a ThingsBoard server, written to devices beside its host. */
const THINGSBOARD_MQTT_PORT = 1883;

/** Parses an http(s) URL; `label` names the input in the error, such as --server. */
export function parseServerUrl(text: string, label: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new StationError('invalid-argument', `${label} "${text}" is not a URL; use for example http://127.0.0.1:8080`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new StationError('invalid-argument', `${label} must start with http:// or https://, got "${text}"`);
  }
  return url;
}

export function connectServer(url: URL, signIn: ServerSignIn): ServerConnection {
  const baseUrl = url.origin + url.pathname.replace(/\/$/, '');
  const client = 'apiKey' in signIn ? new ThingsboardClient({ baseUrl, apiKey: signIn.apiKey }) : new ThingsboardClient({ baseUrl, ...signIn });
  return { url, client, deviceAddress: { host: url.hostname, port: THINGSBOARD_MQTT_PORT } };
}
