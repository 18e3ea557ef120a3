// The station setup in station_meta: the settings as one JSON value, and the server password or
// API key sealed under the station's data key. The renderer only ever gets the StationSetup
// view, where a secret is replaced by whether one is saved.
import type { ServerProfilesArgument } from '../../shared/api';
import type { FieldErrors, ParsedSetup, StationSetup } from '../../shared/setup';
import { DEFAULT_NAMING_RULE } from '../provisioning/naming';
import type { Store } from '../store/store';
import { DEFAULT_MQTT_PORT, DEFAULT_MQTTS_PORT } from '../credentials/generate';
import { connectServer, parseServerUrl, type MqttPorts, type ServerConnection, type ServerSignIn } from '../thingsboard/connection';

const SETUP_META = 'setup.settings';
const STATION_ID_META = 'station_id';
const PASSWORD_META = 'setup.server_password';
const API_KEY_META = 'setup.server_api_key';

/** The saved settings: SetupInput without the secrets and the PIN. */
type SavedSettings = Omit<StationSetup, 'configured' | 'stationId' | 'pinSet' | 'server'> & {
  server: { mode: 'offline'; deviceHost?: string; mqttPort?: number; mqttsPort?: number } | { mode: 'online'; url: string; auth: 'password' | 'api-key'; username: string | null; mqttPort?: number; mqttsPort?: number };
};

const DEFAULT_SETTINGS: SavedSettings = {
  mode: 'provision',
  server: { mode: 'offline' },
  deviceProfile: null,
  credentialType: 'token',
  x509Mode: 'ca-key',
  keyAlgorithm: 'ec-p256',
  naming: { mode: 'rule', rule: DEFAULT_NAMING_RULE },
  ports: { paths: [], matches: [], patterns: [] },
};

export function loadSetup(store: Store, pinSet: boolean): StationSetup {
  const saved = store.getMeta(SETUP_META);
  // Settings saved before a field existed take its default.
  const settings: SavedSettings = { ...DEFAULT_SETTINGS, ...(saved === undefined ? {} : (JSON.parse(saved) as Partial<SavedSettings>)) };
  const server: StationSetup['server'] =
    settings.server.mode === 'offline'
      ? settings.server
      : {
          ...settings.server,
          mqttPort: settings.server.mqttPort ?? DEFAULT_MQTT_PORT,
          mqttsPort: settings.server.mqttsPort ?? DEFAULT_MQTTS_PORT,
          secretSaved: store.getMeta(settings.server.auth === 'password' ? PASSWORD_META : API_KEY_META) !== undefined,
        };
  return { ...settings, server, configured: saved !== undefined, stationId: store.stationId(), pinSet };
}

/**
 * Saves a checked setup. An empty or omitted secret keeps the saved one; an online setup with
 * no secret at all gets a field error instead of a save.
 */
export function saveSetup(store: Store, input: ParsedSetup): FieldErrors {
  const { server } = input;
  if (server.mode === 'online') {
    const field = server.auth === 'password' ? 'password' : 'apiKey';
    const given = server[field] ?? '';
    const metaKey = server.auth === 'password' ? PASSWORD_META : API_KEY_META;
    if (given === '' && store.getMeta(metaKey) === undefined) {
      return { [`server.${field}`]: server.auth === 'password' ? 'Enter the ThingsBoard password.' : 'Enter the API key.' };
    }
  }

  const settings: SavedSettings = {
    mode: input.mode,
    server:
      server.mode === 'offline'
        ? {
            mode: 'offline',
            ...(server.deviceHost === undefined || server.deviceHost === '' ? {} : { deviceHost: server.deviceHost, mqttPort: server.mqttPort, mqttsPort: server.mqttsPort }),
          }
        : { mode: 'online', url: server.url, auth: server.auth, username: server.username ?? null, mqttPort: server.mqttPort, mqttsPort: server.mqttsPort },
    deviceProfile: input.deviceProfile === '' ? null : input.deviceProfile,
    credentialType: input.credentialType,
    x509Mode: input.x509Mode,
    keyAlgorithm: input.keyAlgorithm,
    naming: input.naming,
    ports: input.ports,
  };
  store.database.transaction(() => {
    store.setMeta(STATION_ID_META, input.stationId);
    store.setMeta(SETUP_META, JSON.stringify(settings));
    if (server.mode === 'offline') {
      store.setSecretSetting(PASSWORD_META, undefined);
      store.setSecretSetting(API_KEY_META, undefined);
    } else if (server.auth === 'password' && (server.password ?? '') !== '') {
      store.setSecretSetting(PASSWORD_META, server.password);
      store.setSecretSetting(API_KEY_META, undefined);
    } else if (server.auth === 'api-key' && (server.apiKey ?? '') !== '') {
      store.setSecretSetting(API_KEY_META, server.apiKey);
      store.setSecretSetting(PASSWORD_META, undefined);
    }
  })();
  return {};
}

/** Returns the connection the saved setup describes, or undefined when the station works offline. */
export function savedConnection(store: Store): ServerConnection | undefined {
  const setup = loadSetup(store, false);
  if (setup.server.mode === 'offline') {
    return undefined;
  }
  const { url, auth, username, mqttPort, mqttsPort } = setup.server;
  return connectTo({ url, auth, ...(username === null ? {} : { username }) }, store, { mqttPort, mqttsPort });
}

/** Builds a connection for the given server, using the saved secret where none is given. */
export function connectTo(server: ServerProfilesArgument, store: Store, ports: MqttPorts = {}): ServerConnection {
  const url = parseServerUrl(server.url, 'the server address');
  let signIn: ServerSignIn;
  if (server.auth === 'api-key') {
    signIn = { apiKey: nonEmpty(server.apiKey) ?? store.getSecretSetting(API_KEY_META) ?? '' };
  } else {
    signIn = { username: server.username ?? '', password: nonEmpty(server.password) ?? store.getSecretSetting(PASSWORD_META) ?? '' };
  }
  return connectServer(url, signIn, ports);
}

/** Lists the setting names that differ between two setups, for the audit trail; never their values. */
export function changedSettings(before: StationSetup, after: StationSetup): string[] {
  const keys: Array<keyof StationSetup> = ['stationId', 'mode', 'server', 'deviceProfile', 'credentialType', 'x509Mode', 'keyAlgorithm', 'naming', 'ports'];
  return keys.filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]));
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
