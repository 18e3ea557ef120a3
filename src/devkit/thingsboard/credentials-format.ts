// Validation and normalisation of device credentials, as ThingsBoard applies them before it
// saves a credentials record: the control-character check, the MQTT_BASIC rules and
// credentialsId derivation, and the X.509 trim-and-hash.
import { createHash, randomInt } from 'node:crypto';

import { badRequest, EnvelopeError, ErrorCode } from './errors';

export type CredentialsType = 'ACCESS_TOKEN' | 'MQTT_BASIC' | 'X509_CERTIFICATE' | 'LWM2M_CREDENTIALS';

const CREDENTIALS_TYPES: readonly string[] = ['ACCESS_TOKEN', 'MQTT_BASIC', 'X509_CERTIFICATE', 'LWM2M_CREDENTIALS'];

/** The credentialsType, credentialsId and credentialsValue that a credentials record stores. */
export interface FormattedCredentials {
  credentialsType: CredentialsType;
  credentialsId: string;
  credentialsValue: string | null;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomAlphanumeric(length: number): string {
  let text = '';
  for (let i = 0; i < length; i += 1) text += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)] ?? 'A';
  return text;
}

export function sha3Hex(text: string): string {
  return createHash('sha3-256').update(text, 'utf8').digest('hex');
}

/**
 * Removes every BEGIN/END CERTIFICATE marker and every CR and LF. Spaces and tabs stay, as
 * ThingsBoard keeps them, so a PEM pasted with spaces hashes differently from its DER.
 */
export function trimCertificate(pem: string): string {
  return pem
    .replaceAll('-----BEGIN CERTIFICATE-----', '')
    .replaceAll('-----END CERTIFICATE-----', '')
    .replaceAll('\n', '')
    .replaceAll('\r', '');
}

/** Returns the trimmed base64 body of the first certificate in a PEM bundle. */
export function firstCertificate(pem: string): string {
  const end = pem.indexOf('-----END CERTIFICATE-----');
  return trimCertificate(end === -1 ? pem : pem.slice(0, end));
}

function hasControlCharacters(text: string): boolean {
  // eslint-disable-next-line no-control-regex -- the check is about control characters
  return /[\u0000-\u001f\u007f]/.test(text);
}

function rejectControlCharacters(field: string, value: string | undefined): void {
  if (value !== undefined && hasControlCharacters(value)) {
    throw badRequest(`${field} must not contain control characters!`);
  }
}

function optionalText(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function formatMqttBasic(credentialsValue: unknown): FormattedCredentials {
  let parsed: unknown;
  try {
    parsed = typeof credentialsValue === 'string' ? JSON.parse(credentialsValue) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw badRequest('Invalid credentials body for simple mqtt credentials!');
  }

  const record = parsed as Record<string, unknown>;
  const clientId = optionalText(record.clientId);
  const userName = optionalText(record.userName);
  const password = optionalText(record.password);
  rejectControlCharacters('clientId', clientId);
  rejectControlCharacters('userName', userName);
  rejectControlCharacters('password', password);
  if (clientId === undefined && userName === undefined) {
    throw badRequest('Both mqtt client id and user name are empty!');
  }
  if (clientId !== undefined && password !== undefined && userName === undefined) {
    throw badRequest('Password cannot be specified along with client id');
  }

  // Only a user name: the id is the user name. Only a client id: SHA3 of it. Both: SHA3 of
  // "clientId|userName". The MQTT transport looks devices up by the same three keys.
  let credentialsId: string;
  if (clientId === undefined) credentialsId = userName ?? '';
  else if (userName === undefined) credentialsId = sha3Hex(clientId);
  else credentialsId = sha3Hex(`${clientId}|${userName}`);

  const value = { clientId: clientId ?? null, userName: userName ?? null, password: password ?? null };
  return { credentialsType: 'MQTT_BASIC', credentialsId, credentialsValue: JSON.stringify(value) };
}

function formatX509(credentialsValue: unknown): FormattedCredentials {
  if (typeof credentialsValue !== 'string') {
    // ThingsBoard fails with a null dereference here, which surfaces as a 500.
    throw new EnvelopeError(500, 'X.509 credentialsValue is missing', ErrorCode.general);
  }
  const body = trimCertificate(credentialsValue);
  return { credentialsType: 'X509_CERTIFICATE', credentialsId: sha3Hex(body), credentialsValue: body };
}

/**
 * Validates credentials from a request body and returns what the server stores. An empty
 * ACCESS_TOKEN id gets a random 20-character token only when `generateToken` is set, as
 * POST /api/device does.
 */
export function formatCredentials(input: Record<string, unknown>, generateToken = false): FormattedCredentials {
  const type = input.credentialsType;
  if (typeof type !== 'string' || type === '') throw badRequest('Device credentials type should be specified');
  if (!CREDENTIALS_TYPES.includes(type)) throw badRequest(`JSON parse error: unknown credentialsType ${type}`);

  if (type === 'MQTT_BASIC') return formatMqttBasic(input.credentialsValue);
  if (type === 'X509_CERTIFICATE') return formatX509(input.credentialsValue);

  let credentialsId = optionalText(input.credentialsId);
  if (credentialsId === undefined && generateToken) credentialsId = randomAlphanumeric(20);
  if (credentialsId === undefined) throw badRequest('Device credentials id should be specified!');
  rejectControlCharacters('credentialsId', credentialsId);
  const value = typeof input.credentialsValue === 'string' ? input.credentialsValue : null;
  return { credentialsType: type as CredentialsType, credentialsId, credentialsValue: type === 'ACCESS_TOKEN' ? null : value };
}
