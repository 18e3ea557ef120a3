// The sync worker: drains the outbox into ThingsBoard. ThingsBoard has no idempotency key, so
// every upload starts by looking the device up by name. A device that exists with equal
// credentials counts as done, one with other credentials is parked as a conflict, and only a
// missing device is created. "Already exists" after a create is a reconcile, not an error.
import { THINGSBOARD_CREDENTIALS_TYPE } from '../../shared/domain';
import { StationError, isStationError, type ReasonCode } from '../../shared/reasons';
import { identifyingField, maskSecret } from '../credentials/generate';
import { getLogger } from '../log';
import type { CredentialSecret, OutboxEntry, Store, Unit } from '../store/store';
import {
  credentialsMatch,
  isNameExistsError,
  isUnknownOutcome,
  type TbCredentialsInput,
  type TbDevice,
  type TbDeviceCredentials,
  type ThingsboardClient,
} from '../thingsboard/client';

const log = getLogger('sync');

/** Name of the server attribute with the provisioning record: one JSON object, because ThingsBoard casts numeric-looking strings to numbers. */
export const PROVISIONING_ATTRIBUTE = 'provisioning';

export interface SyncSummary {
  synced: number;
  queued: number;
  parked: number;
  /** The reason the run stopped early with entries still queued; absent when it drained the outbox. */
  stoppedBy?: { code: ReasonCode; detail?: string };
}

type EntryResult = 'done' | 'parked' | 'retry';

/** Reasons that end the whole run: every later entry would fail the same way. */
const RUN_STOPPING_REASONS: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
  'server-unreachable',
  'server-auth-failed',
  'server-2fa-required',
  'server-rate-limited',
  'server-permission-denied',
  'server-quota-exceeded',
  'store-key-missing',
  'store-failed',
]);

/** Refusals that retrying cannot fix: the entry is parked for an operator, never dropped. */
const PARKING_REASONS: ReadonlySet<ReasonCode> = new Set<ReasonCode>(['server-credential-taken', 'server-rejected']);

export async function syncOutbox(store: Store, client: ThingsboardClient): Promise<SyncSummary> {
  let synced = 0;
  let stoppedBy: SyncSummary['stoppedBy'];

  for (const entry of store.queuedOutbox()) {
    try {
      const result = await syncEntry(store, client, entry);
      if (result === 'done') {
        synced += 1;
      }
    } catch (error) {
      const reason = toReason(error);
      if (PARKING_REASONS.has(reason.code)) {
        store.parkOutbox(entry.id, describe(reason));
        log.warn({ entryId: entry.id, reason }, 'upload refused by the server, parked');
        continue;
      }
      store.recordOutboxAttempt(entry.id, describe(reason));
      log.warn({ entryId: entry.id, reason }, 'upload left queued');
      if (RUN_STOPPING_REASONS.has(reason.code)) {
        stoppedBy = reason;
        break;
      }
    }
  }

  const counts = store.outboxCounts();
  const summary: SyncSummary = { synced, queued: counts.queued, parked: counts.parked };
  if (stoppedBy !== undefined) {
    summary.stoppedBy = stoppedBy;
  }
  log.info({ ...summary }, 'sync run finished');
  return summary;
}

async function syncEntry(store: Store, client: ThingsboardClient, entry: OutboxEntry): Promise<EntryResult> {
  const unit = store.getUnit(entry.unitId);
  const credential = store.getCredential(entry.credentialId);
  const wanted = toThingsboardCredentials(credential.secret);

  let device = await client.getDeviceByName(unit.name);
  if (device === null) {
    device = await createOrReconcile(client, unit.name, wanted);
  }

  let held = await client.getDeviceCredentials(device.id.id);
  if (!credentialsMatch(wanted, held) && holdsRetiredCredential(store, unit.id, held)) {
    // The server has a credential this station issued and later replaced, because the device
    // never held it. The server must follow the device, so the new credential overwrites it.
    held = await client.updateDeviceCredentials({
      ...held,
      credentialsType: wanted.credentialsType,
      credentialsId: wanted.credentialsId ?? null,
      credentialsValue: wanted.credentialsValue ?? null,
    });
    log.info({ entryId: entry.id, device: unit.name }, 'replaced a retired credential on the server');
  }

  if (!credentialsMatch(wanted, held)) {
    const field = identifyingField(credential.secret);
    const ours = comparableValue(credential.secret);
    const reason =
      `device "${unit.name}" exists on the server with other ${credential.type} credentials ` +
      `(server ${held.credentialsType} ${maskSecret(held.credentialsId ?? '')}, station ${field} ${maskSecret(ours)})`;
    store.parkOutbox(entry.id, reason);
    log.warn({ entryId: entry.id, device: unit.name }, 'credential conflict parked');
    return 'parked';
  }

  if (credential.secret.type === 'x509' && held.credentialsId !== credential.secret.credentialsId) {
    const reason =
      `the server computed credentialsId ${held.credentialsId ?? 'none'} for device "${unit.name}", ` +
      `but the station predicted ${credential.secret.credentialsId}; the device could not authenticate`;
    store.parkOutbox(entry.id, `server-rejected: ${reason}`);
    log.warn({ entryId: entry.id, device: unit.name }, 'certificate hash mismatch parked');
    return 'parked';
  }

  await client.saveServerAttributes(device.id.id, { [PROVISIONING_ATTRIBUTE]: provisioningRecord(store, unit, credential.secret) });

  store.markOutboxDone(entry.id, device.id.id);
  log.info({ entryId: entry.id, device: unit.name, deviceId: device.id.id }, 'device registered');
  return 'done';
}

/**
 * Creates the device with its credentials in one call. When the server reports that the name exists,
 * or the outcome is unknown (a timeout, a lost response, a 5xx), the device is looked up again
 * by name and the caller compares its credentials, so a retry never makes a second device.
 */
async function createOrReconcile(client: ThingsboardClient, name: string, wanted: TbCredentialsInput): Promise<TbDevice> {
  try {
    return await client.createDeviceWithCredentials({ name }, wanted);
  } catch (error) {
    const nameExists = isNameExistsError(error);
    if (!nameExists && !isUnknownOutcome(error)) {
      throw error;
    }
    const existing = await client.getDeviceByName(name);
    if (existing !== null) {
      log.info({ device: name, nameExists }, 'create outcome reconciled by name');
      return existing;
    }
    if (nameExists) {
      throw new StationError('server-rejected', `the server reported that device "${name}" exists, but a lookup by that name found nothing; sync again later`, {
        cause: error,
      });
    }
    throw error;
  }
}

function provisioningRecord(store: Store, unit: Unit, secret: CredentialSecret): Record<string, string> {
  const record: Record<string, string> = {
    hardwareId: unit.hardwareId,
    model: unit.model,
    firmwareVersion: unit.firmwareVersion,
    stationId: store.stationId(),
    credentialType: secret.type,
    syncedAt: new Date().toISOString(),
  };
  if (secret.type === 'x509') {
    record.certificateMode = secret.mode;
    record.certificateSerial = secret.serialHex;
    record.certificateNotAfter = secret.notAfter;
  }
  return record;
}

/** Returns whether the server holds one of the unit's retired credentials. */
function holdsRetiredCredential(store: Store, unitId: number, held: TbDeviceCredentials): boolean {
  return store.retiredCredentials(unitId).some((retired) => credentialsMatch(toThingsboardCredentials(retired.secret), held));
}

export function toThingsboardCredentials(secret: CredentialSecret): TbCredentialsInput {
  switch (secret.type) {
    case 'token':
      return { credentialsType: 'ACCESS_TOKEN', credentialsId: secret.token };
    case 'mqtt-basic':
      return {
        credentialsType: THINGSBOARD_CREDENTIALS_TYPE['mqtt-basic'] as 'MQTT_BASIC',
        credentialsValue: JSON.stringify({ clientId: secret.clientId, userName: secret.userName, password: secret.password }),
      };
    case 'x509':
      // The leaf certificate only: ThingsBoard hashes the whole value, so a chain would never match.
      return { credentialsType: 'X509_CERTIFICATE', credentialsValue: secret.certificatePem };
  }
}

/** The value an operator compares in a conflict, masked: the token, the MQTT password or the certificate hash. */
function comparableValue(secret: CredentialSecret): string {
  switch (secret.type) {
    case 'token':
      return secret.token;
    case 'mqtt-basic':
      return secret.password;
    case 'x509':
      return secret.credentialsId;
  }
}

function toReason(error: unknown): { code: ReasonCode; detail?: string } {
  if (isStationError(error)) {
    return error.detail === undefined ? { code: error.code } : { code: error.code, detail: error.detail };
  }
  log.error({ err: error }, 'unexpected error while syncing');
  return { code: 'internal', detail: error instanceof Error ? error.message : String(error) };
}

function describe(reason: { code: ReasonCode; detail?: string }): string {
  return reason.detail === undefined ? reason.code : `${reason.code}: ${reason.detail}`;
}
