// The records the station store reads and writes, and their SQLite row shapes.
import type { CredentialType, DeviceFields } from '../../shared/domain';

export type X509Mode = 'self-signed' | 'ca-key' | 'device-csr';

/**
 * The part of a credential the station keeps. An X.509 credential keeps its certificate and chain
 * but never the device private key, which exists only in memory while it is written.
 */
export type CredentialSecret =
  | { type: 'token'; token: string }
  | { type: 'mqtt-basic'; clientId: string; userName: string; password: string }
  | {
      type: 'x509';
      mode: X509Mode;
      certificatePem: string;
      chainPem: string;
      serialHex: string;
      notAfter: string;
      /** ThingsBoard's credentialsId for the certificate, predicted by the station. */
      credentialsId: string;
    };

export interface Unit {
  id: number;
  hardwareId: string;
  name: string;
  model: string;
  firmwareVersion: string;
}

export interface StoredCredential {
  id: number;
  unitId: number;
  type: CredentialType;
  secret: CredentialSecret;
  /** SHA-256 per device field that the device must report after the write. */
  digests: DeviceFields;
}

export type OutboxState = 'held' | 'queued' | 'done' | 'parked' | 'retired';

/** The steps of an upload, in order; each is safe to repeat. */
export const OUTBOX_STEPS = ['create-device', 'write-attributes', 'verify-credentials'] as const;
export type OutboxStep = (typeof OUTBOX_STEPS)[number];

export interface OutboxEntry {
  id: number;
  unitId: number;
  credentialId: number;
  operation: 'register-device';
  state: OutboxState;
  /** The next step to run. */
  step: OutboxStep;
  attempts: number;
  lastError: string | null;
  serverDeviceId: string | null;
  /** No retry before this time (milliseconds since the epoch); 0 when due now. */
  nextAttemptAt: number;
  resolution: 'overwrite' | null;
}

export interface OutboxCounts {
  /** Uploads waiting for their unit to pass. */
  held: number;
  queued: number;
  done: number;
  parked: number;
  retired: number;
}

export interface UnitRow {
  id: number;
  hardware_id: string;
  name: string;
  model: string;
  firmware_version: string;
}

export interface CredentialRow {
  id: number;
  unit_id: number;
  type: CredentialType;
  secret: Buffer;
  digests_json: string;
}

export interface OutboxRow {
  id: number;
  unit_id: number;
  credential_id: number;
  operation: 'register-device';
  state: OutboxState;
  step: OutboxStep;
  attempts: number;
  last_error: string | null;
  server_device_id: string | null;
  next_attempt_at: number;
  resolution: 'overwrite' | null;
}


export function toUnit(row: UnitRow): Unit {
  return {
    id: row.id,
    hardwareId: row.hardware_id,
    name: row.name,
    model: row.model,
    firmwareVersion: row.firmware_version,
  };
}

export function toOutboxEntry(row: OutboxRow): OutboxEntry {
  return {
    id: row.id,
    unitId: row.unit_id,
    credentialId: row.credential_id,
    operation: row.operation,
    state: row.state,
    step: row.step,
    attempts: row.attempts,
    lastError: row.last_error,
    serverDeviceId: row.server_device_id,
    nextAttemptAt: row.next_attempt_at,
    resolution: row.resolution,
  };
}

export function publicPart(secret: CredentialSecret): Record<string, string> {
  switch (secret.type) {
    case 'token':
      return {};
    case 'mqtt-basic':
      return { clientId: secret.clientId, userName: secret.userName };
    case 'x509':
      return { mode: secret.mode, serialHex: secret.serialHex, notAfter: secret.notAfter, credentialsId: secret.credentialsId };
  }
}
