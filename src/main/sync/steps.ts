// The steps of one unit's upload, in order, each safe to repeat:
//   create-device        look the device up by name; create it with its credentials when missing
//   write-attributes     write the provisioning record as a server attribute
//   verify-credentials   read the credentials back and compare them with the station's
// ThingsBoard has no idempotency key, so every unknown outcome ends in a lookup by name and a
// comparison: equal means done, different means a conflict parked for an operator.
import { THINGSBOARD_CREDENTIALS_TYPE } from '../../shared/domain';
import { StationError } from '../../shared/reasons';
import { identifyingField, maskSecret } from '../credentials/generate';
import { getLogger } from '../log';
import type { CredentialSecret, OutboxEntry, OutboxStep, Store, StoredCredential, Unit } from '../store/store';
import {
  credentialsMatch,
  isNameExistsError,
  isUnknownOutcome,
  type TbCredentialsInput,
  type TbDevice,
  type TbDeviceInput,
  type TbDeviceCredentials,
  type ThingsboardClient,
} from '../thingsboard/client';

const log = getLogger('sync');

/** Name of the server attribute with the provisioning record: one JSON object, because ThingsBoard casts numeric-looking strings to numbers. */
export const PROVISIONING_ATTRIBUTE = 'provisioning';

/** The outcome of a step: the next step to run, or a parked reason. */
export type StepResult = { next: OutboxStep | 'done'; deviceId: string } | { parked: string };

export interface StepContext {
  store: Store;
  client: ThingsboardClient;
  entry: OutboxEntry;
  unit: Unit;
  credential: StoredCredential;
  /** Device profile name sent as the device's type on create; ThingsBoard makes a missing profile. */
  deviceProfile?: string;
}

export async function runStep(context: StepContext): Promise<StepResult> {
  switch (context.entry.step) {
    case 'create-device':
      return createDevice(context);
    case 'write-attributes':
      return writeAttributes(context);
    case 'verify-credentials':
      return verifyCredentials(context);
  }
}

async function createDevice(context: StepContext): Promise<StepResult> {
  const { client, unit, credential } = context;
  const wanted = toThingsboardCredentials(credential.secret);

  const existing = await client.getDeviceByName(unit.name);
  if (existing === null) {
    const { device, created } = await createOrReconcile(client, { name: unit.name, ...(context.deviceProfile === undefined ? {} : { type: context.deviceProfile }) }, wanted);
    // A device this call created has exactly the credentials sent with it, and
    // verify-credentials reads them back at the end anyway.
    const reconciled = created ? undefined : await reconcileCredentials(context, device, wanted);
    return reconciled ?? { next: 'write-attributes', deviceId: device.id.id };
  }
  const reconciled = await reconcileCredentials(context, existing, wanted);
  return reconciled ?? { next: 'write-attributes', deviceId: existing.id.id };
}

async function writeAttributes(context: StepContext): Promise<StepResult> {
  const deviceId = requireDeviceId(context.entry);
  await context.client.saveServerAttributes(deviceId, {
    [PROVISIONING_ATTRIBUTE]: provisioningRecord(context.store, context.unit, context.credential.secret),
  });
  return { next: 'verify-credentials', deviceId };
}

async function verifyCredentials(context: StepContext): Promise<StepResult> {
  const { client, unit, credential } = context;
  const deviceId = requireDeviceId(context.entry);
  const held = await client.getDeviceCredentials(deviceId);

  if (!credentialsMatch(toThingsboardCredentials(credential.secret), held)) {
    return { parked: conflictReason(unit, credential, held) };
  }
  if (credential.secret.type === 'x509' && held.credentialsId !== credential.secret.credentialsId) {
    return {
      parked:
        `server-rejected: the server computed credentialsId ${held.credentialsId ?? 'none'} for device "${unit.name}", ` +
        `but the station predicted ${credential.secret.credentialsId}; the device could not authenticate`,
    };
  }
  return { next: 'done', deviceId };
}

/**
 * Makes the server's credentials equal the station's where that is safe: when they already are,
 * when the server holds one the station retired, or when an operator chose to overwrite.
 * Returns a parked result for any other difference.
 */
async function reconcileCredentials(context: StepContext, device: TbDevice, wanted: TbCredentialsInput): Promise<StepResult | undefined> {
  const { client, store, unit, entry, credential } = context;
  const held = await client.getDeviceCredentials(device.id.id);
  if (credentialsMatch(wanted, held)) {
    return undefined;
  }

  const retired = store.retiredCredentials(unit.id).some((old) => credentialsMatch(toThingsboardCredentials(old.secret), held));
  if (!retired && entry.resolution !== 'overwrite') {
    return { parked: conflictReason(unit, credential, held) };
  }

  // The update must carry the id of the server's credentials record, or ThingsBoard takes it
  // for a second record and rejects it.
  await client.updateDeviceCredentials({
    ...held,
    credentialsType: wanted.credentialsType,
    credentialsId: wanted.credentialsId ?? null,
    credentialsValue: wanted.credentialsValue ?? null,
  });
  log.info({ entryId: entry.id, device: unit.name, retired }, 'server credentials replaced with the station credential');
  return undefined;
}

/**
 * Creates the device with its credentials in one call. When the server reports that the name
 * exists, or the outcome is unknown (a timeout, a lost response, a 5xx), the device is looked up
 * again by name, so a retry never makes a second device.
 */
async function createOrReconcile(
  client: ThingsboardClient,
  device: TbDeviceInput,
  wanted: TbCredentialsInput,
): Promise<{ device: TbDevice; created: boolean }> {
  try {
    return { device: await client.createDeviceWithCredentials(device, wanted), created: true };
  } catch (error) {
    const nameExists = isNameExistsError(error);
    if (!nameExists && !isUnknownOutcome(error)) {
      throw error;
    }
    const existing = await client.getDeviceByName(device.name);
    if (existing !== null) {
      log.info({ device: device.name, nameExists }, 'create outcome reconciled by name');
      return { device: existing, created: false };
    }
    if (nameExists) {
      throw new StationError('server-rejected', `the server reported that device "${device.name}" exists, but a lookup by that name found nothing; sync again later`, {
        cause: error,
      });
    }
    throw error;
  }
}

function conflictReason(unit: Unit, credential: StoredCredential, held: TbDeviceCredentials): string {
  const field = identifyingField(credential.secret);
  return (
    `server-credential-conflict: device "${unit.name}" exists on the server with other ${credential.type} credentials ` +
    `(server ${held.credentialsType} ${maskSecret(held.credentialsId ?? '')}, station ${field} ${maskSecret(comparableValue(credential.secret))}); ` +
    'resolve with `station outbox resolve ID --overwrite` or `--reprovision`'
  );
}

function requireDeviceId(entry: OutboxEntry): string {
  if (entry.serverDeviceId === null) {
    throw new StationError('internal', `outbox entry ${entry.id} reached ${entry.step} without a server device id`);
  }
  return entry.serverDeviceId;
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

/** Returns the value an operator compares in a conflict, before masking: the token, the MQTT password or the certificate hash. */
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
