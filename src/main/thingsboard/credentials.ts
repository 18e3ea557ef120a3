// Comparison of the credentials the station meant to write with what the server holds, used
// to reconcile a device that already exists.
import type { TbCredentialsInput, TbDeviceCredentials } from './types';

/**
 * Strips PEM markers and CR/LF the way ThingsBoard does before it stores and hashes a
 * certificate. Spaces and tabs stay, as they do on the server.
 */
export function normalizeCertificate(pem: string): string {
  return pem
    .replaceAll('-----BEGIN CERTIFICATE-----', '')
    .replaceAll('-----END CERTIFICATE-----', '')
    .replaceAll('\n', '')
    .replaceAll('\r', '');
}

interface MqttBasicFields {
  clientId: string;
  userName: string;
  password: string;
}

function parseMqttBasic(value: string | null | undefined): MqttBasicFields | undefined {
  if (value === null || value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const record = parsed as Record<string, unknown>;
  const text = (field: unknown): string => (typeof field === 'string' ? field : '');
  return { clientId: text(record.clientId), userName: text(record.userName), password: text(record.password) };
}

/**
 * Returns whether the server's credentials are the ones `expected` describes. Access tokens
 * compare ids; MQTT basic compares client id, user name and password (absent and empty are
 * equal); X.509 compares the certificates after ThingsBoard's normalisation.
 */
export function credentialsMatch(expected: TbCredentialsInput, actual: TbDeviceCredentials): boolean {
  if (expected.credentialsType !== actual.credentialsType) return false;

  if (expected.credentialsType === 'ACCESS_TOKEN') {
    return expected.credentialsId !== undefined && expected.credentialsId === actual.credentialsId;
  }

  if (expected.credentialsType === 'MQTT_BASIC') {
    const wanted = parseMqttBasic(expected.credentialsValue);
    const held = parseMqttBasic(actual.credentialsValue);
    if (wanted === undefined || held === undefined) return false;
    return wanted.clientId === held.clientId && wanted.userName === held.userName && wanted.password === held.password;
  }

  if (expected.credentialsValue === undefined || actual.credentialsValue === null || actual.credentialsValue === undefined) {
    return false;
  }
  return normalizeCertificate(expected.credentialsValue) === normalizeCertificate(actual.credentialsValue);
}
