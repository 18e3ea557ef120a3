// CONNECT for the simulated device: an MQTT 3.1.1 session (MQTT.js) to the stored server with
// the stored credential, and one QoS 1 telemetry message with the station's nonce. A failure is
// reported in words a QA operator can act on.
import { randomBytes } from 'node:crypto';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { CONNECT_NONCE_KEY, type DeviceErrorCode } from '../../main/device/protocol';

/** ThingsBoard's device telemetry topic. */
export const TELEMETRY_TOPIC = 'v1/devices/me/telemetry';

export type ConnectOutcome = { ok: true; transport: 'mqtt' | 'mqtts' } | { ok: false; code: DeviceErrorCode; detail: string };

export interface ConnectSettings {
  /** CA certificates trusted for the server's TLS certificate; default the stored ca_chain field. */
  serverCaPem?: string;
  /** Accept any TLS server certificate (devkit only). */
  insecureTls: boolean;
  /** Time for the whole attempt: TCP, TLS, CONNACK and PUBACK. */
  timeoutMs: number;
}

/**
 * Texts of the MQTT 3.1.1 CONNACK return codes (section 3.2.2.3). Codes 2, 4 and 5 use the
 * words of ThingsBoard's MQTT transport, which sends them for failed device authentication.
 */
const CONNACK_TEXT: Record<number, string> = {
  1: 'unacceptable protocol version',
  2: 'client identifier not valid',
  3: 'server unavailable',
  4: 'bad username or password',
  5: 'not authorized',
};

const NETWORK_TEXT: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'server name not found',
  EAI_AGAIN: 'server name lookup failed',
  ETIMEDOUT: 'connection timed out',
};

type Credential =
  | { kind: 'token'; token: string }
  | { kind: 'mqtt-basic'; clientId?: string; username?: string; password?: string }
  | { kind: 'x509'; certificatePem: string; privateKeyPem: string; caChainPem?: string };

/** Connects with the stored credential, publishes the nonce and disconnects; every failure is returned, not thrown. */
export async function connectAndPublish(stored: Record<string, string | undefined>, nonce: string, settings: ConnectSettings): Promise<ConnectOutcome> {
  const credential = storedCredential(stored);
  if (credential === undefined) {
    return { ok: false, code: 'no-credential', detail: 'no token, MQTT credentials or certificate with key stored' };
  }
  const host = stored.server_host;
  const port = Number(stored.server_port);
  if (host === undefined || host === '' || !Number.isInteger(port) || port < 1 || port > 65_535) {
    return { ok: false, code: 'no-credential', detail: 'no valid server_host and server_port stored' };
  }

  const transport = credential.kind === 'x509' ? 'mqtts' : 'mqtt';
  const options = clientOptions(credential, settings);
  let client: MqttClient;
  try {
    // Node's TLS layer throws here at once for a certificate or key it cannot parse.
    client = connect({ ...options, protocol: transport, host, port });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, code: 'tls-failed', detail: `TLS: the stored certificate or private key cannot be used (${message})` };
  }
  const failure = await publishOnce(client, nonce, settings.timeoutMs);
  return failure ?? { ok: true, transport };
}

/** Picks the credential a unit holds; a provisioned unit holds exactly one kind. */
function storedCredential(stored: Record<string, string | undefined>): Credential | undefined {
  const { certificate, private_key: privateKey, token } = stored;
  if (certificate !== undefined && privateKey !== undefined) {
    return { kind: 'x509', certificatePem: certificate, privateKeyPem: privateKey, ...(stored.ca_chain === undefined ? {} : { caChainPem: stored.ca_chain }) };
  }
  if (stored.mqtt_client_id !== undefined || stored.mqtt_username !== undefined) {
    return { kind: 'mqtt-basic', clientId: stored.mqtt_client_id, username: stored.mqtt_username, password: stored.mqtt_password };
  }
  return token === undefined ? undefined : { kind: 'token', token };
}

function clientOptions(credential: Credential, settings: ConnectSettings): IClientOptions {
  const base: IClientOptions = {
    protocolVersion: 4,
    clean: true,
    keepalive: 30,
    reconnectPeriod: 0,
    connectTimeout: settings.timeoutMs,
    clientId: `sim-${randomBytes(6).toString('hex')}`,
  };

  switch (credential.kind) {
    case 'token':
      // ThingsBoard reads the token from the user name and ignores the password.
      return { ...base, username: credential.token };
    case 'mqtt-basic':
      return {
        ...base,
        ...(credential.clientId === undefined ? {} : { clientId: credential.clientId }),
        ...(credential.username === undefined ? {} : { username: credential.username }),
        ...(credential.password === undefined ? {} : { password: credential.password }),
      };
    case 'x509': {
      const ca = settings.serverCaPem ?? credential.caChainPem;
      return {
        ...base,
        cert: credential.certificatePem,
        key: credential.privateKeyPem,
        ...(ca === undefined ? {} : { ca }),
        rejectUnauthorized: !settings.insecureTls,
      };
    }
  }
}

/** Waits for CONNACK, publishes the nonce at QoS 1 and waits for PUBACK; returns the first failure. */
function publishOnce(client: MqttClient, nonce: string, timeoutMs: number): Promise<ConnectOutcome | undefined> {
  return new Promise((resolve) => {
    let connected = false;
    let settled = false;
    const finish = (outcome: ConnectOutcome | undefined): void => {
      if (settled) {
        return;
      }
      settled = true;
      clearTimeout(timer);
      client.end(true);
      resolve(outcome);
    };

    const timer = setTimeout(() => {
      const stage = connected ? { code: 'publish-failed' as const, detail: `no PUBACK within ${timeoutMs} ms` } : { code: 'network-failed' as const, detail: `no CONNACK within ${timeoutMs} ms` };
      finish({ ok: false, ...stage });
    }, timeoutMs);

    client.on('error', (error) => finish(describeFailure(error, connected)));
    client.on('close', () => {
      const detail = connected ? 'the server closed the connection before PUBACK' : 'the server closed the connection before CONNACK';
      finish({ ok: false, code: connected ? 'publish-failed' : 'network-failed', detail });
    });
    client.on('connect', () => {
      connected = true;
      client.publish(TELEMETRY_TOPIC, JSON.stringify({ [CONNECT_NONCE_KEY]: nonce }), { qos: 1 }, (error) => {
        finish(error === undefined || error === null ? undefined : { ok: false, code: 'publish-failed', detail: error.message });
      });
    });
  });
}

function describeFailure(error: Error & { code?: unknown }, connected: boolean): ConnectOutcome {
  const code = error.code;
  if (!connected && typeof code === 'number') {
    return { ok: false, code: 'connect-refused', detail: `CONNACK refused: ${CONNACK_TEXT[code] ?? 'unknown reason'} (return code ${code})` };
  }
  if (typeof code === 'string' && NETWORK_TEXT[code] !== undefined) {
    return { ok: false, code: 'network-failed', detail: NETWORK_TEXT[code] };
  }
  if (typeof code === 'string' && isTlsError(code)) {
    return { ok: false, code: 'tls-failed', detail: `TLS: ${error.message}` };
  }
  return { ok: false, code: connected ? 'publish-failed' : 'network-failed', detail: error.message };
}

/** Tells whether a Node error code comes from certificate verification or the TLS handshake. */
function isTlsError(code: string): boolean {
  return /^ERR_SSL_|^ERR_TLS_|CERT|SELF_SIGNED|UNABLE_TO_|_SIGNATURE/.test(code);
}
