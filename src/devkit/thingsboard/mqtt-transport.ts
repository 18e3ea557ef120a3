// The stand-in's MQTT transport: plain MQTT and MQTT over TLS on loopback, with ThingsBoard's
// device authentication and its telemetry and attributes topics. The broker is aedes (MQTT
// 3.1.1). Its hooks let the stand-in choose each CONNACK code and see every publish, and that is
// all ThingsBoard's transport does here. Devices never receive each other's messages.
import { X509Certificate } from 'node:crypto';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, TLSSocket } from 'node:tls';
import { Aedes, type Client } from 'aedes';

import { getLogger } from '../../main/log';
import { sha3Hex } from './credentials-format';
import { castValue, parseTelemetry, recordActivity, recordSession, recordTelemetry } from './device-telemetry';
import type { DeviceRecord, StandInStore } from './store';
import type { ServerTlsIdentity } from './tls-certificate';

const log = getLogger('devkit');

export const TELEMETRY_TOPIC = 'v1/devices/me/telemetry';
export const ATTRIBUTES_TOPIC = 'v1/devices/me/attributes';

/** CONNACK return codes of MQTT 3.1.1 that ThingsBoard's transport sends. */
export const CONNACK = {
  identifierRejected: 2,
  serverUnavailable: 3,
  badUsernameOrPassword: 4,
  notAuthorized: 5,
} as const;
type ConnackCode = (typeof CONNACK)[keyof typeof CONNACK];

export interface MqttTransportOptions {
  host: string;
  /** Plain MQTT port; 0 picks a free one. */
  mqttPort: number;
  /** MQTT over TLS port; 0 picks a free one. */
  mqttsPort: number;
  tls: ServerTlsIdentity;
  store: StandInStore;
}

export interface MqttTransport {
  readonly mqttPort: number;
  readonly mqttsPort: number;
  /** When true, every CONNECT gets CONNACK 3 (server unavailable). */
  refuseAll: boolean;
  /** Stops listening and drops every connection (true), or listens again on the same ports (false). */
  setDown(down: boolean): Promise<void>;
  close(): Promise<void>;
}

/** A listener with the sockets it accepted, so going down can drop them. */
interface Listener {
  server: Server;
  port: number;
  sockets: Set<Socket>;
}

export async function startMqttTransport(options: MqttTransportOptions): Promise<MqttTransport> {
  const { store } = options;
  const devices = new WeakMap<Client, string>();
  const transport = { refuseAll: false };
  // Client ids follow MQTT 3.1.1, which puts no limit on their length; ThingsBoard sets none either.
  const broker = new Aedes({ maxClientsIdLength: 65_535 });

  broker.authenticate = (client, username, password, done) => {
    const result = transport.refuseAll ? { code: CONNACK.serverUnavailable } : authenticate(store, client, username, password);
    if ('device' in result) {
      devices.set(client, result.device.id);
      recordSession(store, result.device.id, 'connect');
      log.info({ deviceId: result.device.id, type: result.type }, 'MQTT device connected');
      done(null, true);
      return;
    }
    log.info({ returnCode: result.code, tls: client.conn instanceof TLSSocket }, 'MQTT CONNECT refused');
    done(Object.assign(new Error('connection refused'), { returnCode: result.code }), false);
  };

  broker.authorizePublish = (client, packet, callback) => {
    const deviceId = client === null ? undefined : devices.get(client);
    if (deviceId === undefined) {
      callback(null);
      return;
    }
    callback(handlePublish(store, deviceId, packet.topic, packet.payload));
  };
  // A device subscribes to RPC and attribute topics; the stand-in never publishes on them.
  broker.authorizeSubscribe = (_client, subscription, callback) => callback(null, subscription);
  broker.authorizeForward = () => null;

  broker.on('clientDisconnect', (client) => {
    const deviceId = devices.get(client);
    if (deviceId !== undefined) recordSession(store, deviceId, 'disconnect');
  });
  broker.on('clientError', (_client, error) => log.debug({ err: error }, 'MQTT client error'));
  broker.on('connectionError', (_client, error) => log.debug({ err: error }, 'MQTT connection error'));
  await broker.listen();

  const plain = await listen(createNetServer((socket) => broker.handle(socket)), options.host, options.mqttPort);
  // requestCert without rejectUnauthorized: ThingsBoard wants a client certificate but does not need one,
  // and it checks the certificate at CONNECT, not in the handshake.
  const tlsServer = createTlsServer(
    { key: options.tls.privateKeyPem, cert: options.tls.certificatePem, requestCert: true, rejectUnauthorized: false },
    (socket) => broker.handle(socket),
  );
  const secure = await listen(tlsServer, options.host, options.mqttsPort);
  log.info({ host: options.host, mqttPort: plain.port, mqttsPort: secure.port }, 'ThingsBoard stand-in MQTT listening');

  let down = false;
  return {
    mqttPort: plain.port,
    mqttsPort: secure.port,
    get refuseAll() {
      return transport.refuseAll;
    },
    set refuseAll(refuse: boolean) {
      transport.refuseAll = refuse;
    },
    async setDown(goDown) {
      if (goDown === down) return;
      down = goDown;
      for (const listener of [plain, secure]) {
        if (goDown) await stopListening(listener);
        else await new Promise<void>((resolve) => listener.server.listen(listener.port, options.host, () => resolve()));
      }
    },
    async close() {
      if (!down) {
        await stopListening(plain);
        await stopListening(secure);
      }
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}

type AuthResult = { device: DeviceRecord; type: string } | { code: ConnackCode };

/**
 * ThingsBoard's lookup at CONNECT. With a client certificate: its validity dates, then SHA3-256
 * over the base64 of its DER as an X509_CERTIFICATE credentialsId; user name and password are
 * ignored. Without one: MQTT_BASIC by SHA3(clientId|userName), then by SHA3(clientId), then by
 * userName alone, checking the password where one is stored; then the user name as an access token.
 */
function authenticate(store: StandInStore, client: Client, username: string | undefined, password: Buffer | undefined): AuthResult {
  const certificate = client.conn instanceof TLSSocket ? peerCertificate(client.conn) : undefined;
  if (certificate !== undefined) {
    return authenticateCertificate(store, certificate);
  }

  const clientId = client.id === '' ? undefined : client.id;
  const userName = username === undefined || username === '' ? undefined : username;
  const candidates = [
    clientId !== undefined && userName !== undefined ? sha3Hex(`${clientId}|${userName}`) : undefined,
    clientId === undefined ? undefined : sha3Hex(clientId),
    userName,
  ];
  for (const credentialsId of candidates) {
    const found = credentialsId === undefined ? undefined : store.findByCredentialsId(credentialsId);
    if (found?.credentials.credentialsType === 'MQTT_BASIC' && passwordMatches(found.credentials.credentialsValue, password)) {
      return { device: found.device, type: 'MQTT_BASIC' };
    }
  }
  const byToken = userName === undefined ? undefined : store.findDeviceByAccessToken(userName);
  if (byToken !== undefined) {
    return { device: byToken, type: 'ACCESS_TOKEN' };
  }
  return { code: userName !== undefined || password !== undefined ? CONNACK.badUsernameOrPassword : CONNACK.identifierRejected };
}

function authenticateCertificate(store: StandInStore, certificate: X509Certificate): AuthResult {
  const now = store.now();
  if (now < Date.parse(certificate.validFrom) || now > Date.parse(certificate.validTo)) {
    log.info({ validFrom: certificate.validFrom, validTo: certificate.validTo }, 'MQTT client certificate is outside its validity dates');
    return { code: CONNACK.notAuthorized };
  }
  const found = store.findByCredentialsId(sha3Hex(certificate.raw.toString('base64')));
  if (found?.credentials.credentialsType !== 'X509_CERTIFICATE') {
    return { code: CONNACK.notAuthorized };
  }
  return { device: found.device, type: 'X509_CERTIFICATE' };
}

function peerCertificate(socket: TLSSocket): X509Certificate | undefined {
  const raw = (socket.getPeerCertificate() as { raw?: Buffer }).raw;
  return raw === undefined ? undefined : new X509Certificate(raw);
}

/** Compares with the password in MQTT_BASIC credentials; a record without one accepts any. */
function passwordMatches(credentialsValue: string | null, password: Buffer | undefined): boolean {
  const stored = (JSON.parse(credentialsValue ?? '{}') as { password?: string | null }).password;
  return stored === null || stored === undefined || stored === '' || stored === password?.toString('utf8');
}

/** Records a device's publish; returns an error, which closes the connection, for a payload it cannot parse. */
function handlePublish(store: StandInStore, deviceId: string, topic: string, payload: Buffer | string): Error | null {
  if (topic !== TELEMETRY_TOPIC && topic !== ATTRIBUTES_TOPIC) {
    // NOTE: ThingsBoard serves more device topics (RPC, claiming, provisioning); the stand-in accepts and ignores them.
    return null;
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString());
  } catch {
    parsed = undefined;
  }
  // NOTE: a payload ThingsBoard cannot convert closes the session here; whether ThingsBoard
  // closes it or only logs the failure was not confirmed.
  if (topic === TELEMETRY_TOPIC) {
    const entries = parseTelemetry(parsed, store.now());
    if (entries === undefined) return new Error('telemetry payload is not a JSON object or an array of objects');
    recordTelemetry(store, deviceId, entries);
    return null;
  }

  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return new Error('attributes payload is not a JSON object');
  const attributes = store.attributeMap(deviceId, 'CLIENT_SCOPE');
  for (const [key, value] of Object.entries(parsed)) attributes.set(key, { value: castValue(value), lastUpdateTs: store.now() });
  recordActivity(store, deviceId);
  return null;
}

async function listen(server: Server, host: string, port: number): Promise<Listener> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { server, port: (server.address() as AddressInfo).port, sockets };
}

async function stopListening(listener: Listener): Promise<void> {
  const closed = new Promise<void>((resolve) => listener.server.close(() => resolve()));
  for (const socket of listener.sockets) socket.destroy();
  await closed;
}
