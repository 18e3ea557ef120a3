// A ThingsBoard connection from a server URL and one way to sign in: the REST client, and the
// address written to devices beside their credential.
import { StationError } from '../../shared/reasons';
import { DEFAULT_MQTT_PORT, DEFAULT_MQTTS_PORT, type ServerAddress } from '../credentials/generate';
import { ThingsboardClient } from './client';

export interface ServerConnection {
  url: URL;
  client: ThingsboardClient;
  /** The address written to devices: the REST host and the server's MQTT ports. */
  deviceAddress: ServerAddress;
}

/** The server's MQTT ports, when they differ from ThingsBoard's defaults 1883 and 8883. */
export interface MqttPorts {
  mqttPort?: number;
  mqttsPort?: number;
}

export type ServerSignIn = { apiKey: string } | { username: string; password: string };

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

export function connectServer(url: URL, signIn: ServerSignIn, ports: MqttPorts = {}): ServerConnection {
  const baseUrl = url.origin + url.pathname.replace(/\/$/, '');
  const client = 'apiKey' in signIn ? new ThingsboardClient({ baseUrl, apiKey: signIn.apiKey }) : new ThingsboardClient({ baseUrl, ...signIn });
  const mqttPort = checkPort(ports.mqttPort ?? DEFAULT_MQTT_PORT, 'the MQTT port');
  const mqttsPort = checkPort(ports.mqttsPort ?? DEFAULT_MQTTS_PORT, 'the MQTT over TLS port');
  // URL.hostname keeps the brackets of an IPv6 literal, which a device's socket API does not take.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { url, client, deviceAddress: { host, port: mqttPort, tlsPort: mqttsPort } };
}

function checkPort(port: number, label: string): number {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new StationError('invalid-argument', `${label} must be a whole number from 1 to 65535, got ${port}`);
  }
  return port;
}
