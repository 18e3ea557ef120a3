// Credential generation and the device fields each credential kind is written as. Pure apart
// from the CSPRNG, so the provisioning workflow and its tests share one definition.
import { createHash, randomInt } from 'node:crypto';
import type { DeviceField, DeviceFields } from '../../shared/domain';
import type { CredentialSecret } from '../store/store';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Token length. ThingsBoard's UI accepts 1 to 32 characters and generates 20; 24 characters of
 * [A-Za-z0-9] give about 143 bits, and tokens travel in URLs and MQTT user names unescaped.
 */
export const ACCESS_TOKEN_LENGTH = 24;

/** Returns `length` characters drawn uniformly from [A-Za-z0-9] by the CSPRNG. */
export function randomAlphanumeric(length: number): string {
  let text = '';
  for (let index = 0; index < length; index += 1) {
    text += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  }
  return text;
}

export function generateAccessToken(): CredentialSecret {
  return { type: 'token', token: randomAlphanumeric(ACCESS_TOKEN_LENGTH) };
}

/**
 * MQTT basic credentials. The client id is the device name, so a broker log names the unit; the
 * random user name keeps ThingsBoard's credentials id, SHA3-256 of "clientId|userName", unique.
 */
export function generateMqttBasic(deviceName: string): CredentialSecret {
  return {
    type: 'mqtt-basic',
    clientId: deviceName,
    userName: randomAlphanumeric(20),
    password: randomAlphanumeric(32),
  };
}

/** ThingsBoard's default MQTT ports: plain, and over TLS. */
export const DEFAULT_MQTT_PORT = 1883;
export const DEFAULT_MQTTS_PORT = 8883;

/** The server a device connects to, written to it beside its credential. */
export interface ServerAddress {
  host: string;
  /** Plain MQTT port, written to token and MQTT basic units. */
  port: number;
  /** MQTT over TLS port, written to X.509 units, which authenticate in the TLS handshake; default 8883. */
  tlsPort?: number;
}

/**
 * Returns the fields a device receives for a credential, plus the server it should connect to:
 * the plain MQTT port for a token or MQTT basic credential, the TLS port for a certificate.
 * `privateKeyPem` is the device key the station made in memory for an X.509 credential.
 */
export function deviceFieldsFor(secret: CredentialSecret, server: ServerAddress | undefined, privateKeyPem?: string): DeviceFields {
  const fields = credentialFields(secret);
  if (privateKeyPem !== undefined) {
    fields.private_key = privateKeyPem;
  }

  if (server !== undefined) {
    fields.server_host = server.host;
    fields.server_port = String(secret.type === 'x509' ? (server.tlsPort ?? DEFAULT_MQTTS_PORT) : server.port);
  }
  return fields;
}

function credentialFields(secret: CredentialSecret): DeviceFields {
  switch (secret.type) {
    case 'token':
      return { token: secret.token };
    case 'mqtt-basic':
      return { mqtt_client_id: secret.clientId, mqtt_username: secret.userName, mqtt_password: secret.password };
    case 'x509':
      return secret.chainPem === '' ? { certificate: secret.certificatePem } : { certificate: secret.certificatePem, ca_chain: secret.chainPem };
  }
}

/** Lowercase hex SHA-256 of a field's UTF-8 value, as a device reports it in VERIFY. */
export function fieldDigest(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

export function digestFields(fields: DeviceFields): DeviceFields {
  const digests: DeviceFields = {};
  for (const [name, value] of Object.entries(fields) as Array<[DeviceField, string]>) {
    digests[name] = fieldDigest(value);
  }
  return digests;
}

/** Returns the fields whose reported digest differs from the expected one (missing counts). */
export function mismatchedFields(expected: DeviceFields, reported: DeviceFields): DeviceField[] {
  return (Object.keys(expected) as DeviceField[]).filter((name) => reported[name] !== expected[name]);
}

/** Returns the field that identifies a credential on the device: its token, MQTT password or certificate. */
export function identifyingField(secret: CredentialSecret): DeviceField {
  switch (secret.type) {
    case 'token':
      return 'token';
    case 'mqtt-basic':
      return 'mqtt_password';
    case 'x509':
      return 'certificate';
  }
}

/** Shows a secret's first and last two characters, enough for an operator to compare two. */
export function maskSecret(secret: string): string {
  if (secret.length <= 8) {
    return '*'.repeat(secret.length);
  }
  return `${secret.slice(0, 2)}${'*'.repeat(secret.length - 4)}${secret.slice(-2)}`;
}
