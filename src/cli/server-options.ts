// Parsing of the shared --server, --username and --password options.
import { StationError } from '../shared/reasons';
import type { ServerAddress } from '../main/credentials/generate';
import { ThingsboardClient } from '../main/thingsboard/client';

export interface ServerOptions {
  server?: string;
  username?: string;
  password?: string;
  apiKey?: string;
}

export interface ServerConnection {
  url: URL;
  client: ThingsboardClient;
  /** The address written to devices: the REST host, and the MQTT port ThingsBoard uses by default. */
  deviceAddress: ServerAddress;
}

/** Default MQTT port of a ThingsBoard server, written to devices beside its host. */
const THINGSBOARD_MQTT_PORT = 1883;

export function parseServerOptions(options: ServerOptions): ServerConnection | undefined {
  if (options.server === undefined) {
    return undefined;
  }

  let url: URL;
  try {
    url = new URL(options.server);
  } catch {
    throw new StationError('invalid-argument', `--server "${options.server}" is not a URL; use for example http://127.0.0.1:8080`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new StationError('invalid-argument', `--server must start with http:// or https://, got "${options.server}"`);
  }

  const baseUrl = url.origin + url.pathname.replace(/\/$/, '');
  const apiKey = options.apiKey ?? process.env.STATION_SERVER_API_KEY;
  const username = options.username ?? process.env.STATION_SERVER_USERNAME;
  const password = options.password ?? process.env.STATION_SERVER_PASSWORD;

  let client: ThingsboardClient;
  if (apiKey !== undefined && apiKey !== '') {
    client = new ThingsboardClient({ baseUrl, apiKey });
  } else if (username !== undefined && password !== undefined) {
    client = new ThingsboardClient({ baseUrl, username, password });
  } else {
    throw new StationError(
      'invalid-argument',
      '--server needs an API key (STATION_SERVER_API_KEY) or --username and --password (or STATION_SERVER_USERNAME and STATION_SERVER_PASSWORD)',
    );
  }

  return { url, client, deviceAddress: { host: url.hostname, port: THINGSBOARD_MQTT_PORT } };
}
