// Parsing of the shared --server, --username, --password, --api-key, --mqtt-port and --mqtts-port options.
import { StationError } from '../shared/reasons';
import { DEFAULT_MQTT_PORT, DEFAULT_MQTTS_PORT, type ServerAddress } from '../main/credentials/generate';
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
  /** The server host written to devices by a station that works without --server. */
  deviceHost?: string;
}

/**
 * Returns the server address written to each device: the --server host, or --device-host for a station
 * that works offline, so units provisioned there can still reach the server in the field.
 */
export function deviceAddressFor(options: ServerOptions, connection: ServerConnection | undefined): ServerAddress | undefined {
  if (connection !== undefined) {
    if (options.deviceHost !== undefined) {
      throw new StationError('invalid-argument', '--device-host is for stations without --server; with --server, devices get its host');
    }
    return connection.deviceAddress;
  }
  if (options.deviceHost === undefined) {
    return undefined;
  }
  if (!/^[A-Za-z0-9.:-]+$/.test(options.deviceHost)) {
    throw new StationError('invalid-argument', `--device-host "${options.deviceHost}" is not a host name or IP address`);
  }
  return { host: options.deviceHost, port: options.mqttPort ?? DEFAULT_MQTT_PORT, tlsPort: options.mqttsPort ?? DEFAULT_MQTTS_PORT };
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
