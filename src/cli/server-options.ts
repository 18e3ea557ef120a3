// Parsing of the shared --server, --username, --password, --api-key, --mqtt-port and --mqtts-port options.
import { StationError } from '../shared/reasons';
import { connectServer, parseServerUrl, type ServerConnection } from '../main/thingsboard/connection';

export type { ServerConnection } from '../main/thingsboard/connection';

export interface ServerOptions {
  server?: string;
  username?: string;
  password?: string;
  apiKey?: string;
  /** The server's plain MQTT port, written to token and MQTT basic units; default 1883. */
  mqttPort?: number;
  /** The server's MQTT over TLS port, written to X.509 units; default 8883. */
  mqttsPort?: number;
}

export function parseServerOptions(options: ServerOptions): ServerConnection | undefined {
  if (options.server === undefined) {
    return undefined;
  }

  const url = parseServerUrl(options.server, '--server');
  const apiKey = options.apiKey ?? process.env.STATION_SERVER_API_KEY;
  const username = options.username ?? process.env.STATION_SERVER_USERNAME;
  const password = options.password ?? process.env.STATION_SERVER_PASSWORD;

  const ports = {
    ...(options.mqttPort === undefined ? {} : { mqttPort: options.mqttPort }),
    ...(options.mqttsPort === undefined ? {} : { mqttsPort: options.mqttsPort }),
  };

  if (apiKey !== undefined && apiKey !== '') {
    return connectServer(url, { apiKey }, ports);
  }
  if (username !== undefined && password !== undefined) {
    return connectServer(url, { username, password }, ports);
  }
  throw new StationError(
    'invalid-argument',
    '--server needs an API key (STATION_SERVER_API_KEY) or --username and --password (or STATION_SERVER_USERNAME and STATION_SERVER_PASSWORD)',
  );
}
