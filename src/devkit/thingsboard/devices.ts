// Device and credentials saving with ThingsBoard's validation order: field checks, profile
// resolution, the device quota, name uniqueness, then credentials. A create that fails at any
// step leaves nothing behind, as ThingsBoard's single transaction does.
import { randomUUID } from 'node:crypto';

import { formatCredentials, randomAlphanumeric, type FormattedCredentials } from './credentials-format';
import { badRequest, EnvelopeError, ErrorCode, notFound, versionConflict } from './errors';
import {
  entityId,
  NULL_UUID,
  readEntityId,
  type CredentialsRecord,
  type DeviceRecord,
  type ProfileRecord,
  type StandInStore,
} from './store';

export interface NameConflictOptions {
  policy: 'FAIL' | 'UNIQUIFY';
  separator: string;
  strategy: 'RANDOM' | 'INCREMENTAL';
}

const MAX_TEXT_LENGTH = 255;

/** True for text ThingsBoard's XSS filter rejects: a `{{...}}` template or an HTML tag. */
function looksLikeMarkup(text: string): boolean {
  return /\{\{[\s\S]*\}\}/.test(text) || /<\s*[a-zA-Z!/]/.test(text);
}

function validateText(field: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw badRequest(`JSON parse error: ${field} must be a string`);
  if (value.length > MAX_TEXT_LENGTH) {
    throw badRequest(`Validation error: ${field} length must be equal or less than ${MAX_TEXT_LENGTH}`);
  }
  if (looksLikeMarkup(value)) throw badRequest(`Validation error: ${field} is malformed`);
  return value;
}

function validateAdditionalInfo(value: unknown): void {
  const strings: string[] = [];
  const collect = (node: unknown): void => {
    if (typeof node === 'string') strings.push(node);
    else if (Array.isArray(node)) node.forEach(collect);
    else if (node !== null && typeof node === 'object') Object.values(node).forEach(collect);
  };
  collect(value);
  if (strings.some(looksLikeMarkup)) throw badRequest('Validation error: additionalInfo is malformed');
}

function resolveProfile(store: StandInStore, body: Record<string, unknown>, type: string | null): ProfileRecord | string {
  if (body.deviceProfileId !== undefined && body.deviceProfileId !== null) {
    const profile = store.profiles.get(readEntityId(body.deviceProfileId, 'DEVICE_PROFILE'));
    if (profile === undefined) throw badRequest('Device is referencing non existing device profile!');
    return profile;
  }
  if (type !== null && type !== '') return store.findProfileByName(type) ?? type;
  return store.defaultProfile();
}

function uniqueName(store: StandInStore, name: string, options: NameConflictOptions): string {
  for (let attempt = 1; ; attempt += 1) {
    const suffix = options.strategy === 'INCREMENTAL' ? String(attempt) : randomAlphanumeric(6);
    const candidate = `${name}${options.separator}${suffix}`;
    if (store.findDeviceByName(candidate) === undefined) return candidate;
  }
}

function checkCredentialsFree(store: StandInStore, credentials: FormattedCredentials, deviceId: string | undefined): void {
  const holder = store.deviceIdByCredentialsId.get(credentials.credentialsId);
  if (holder !== undefined && holder !== deviceId) {
    throw badRequest('Device credentials are already assigned to another device!');
  }
}

function storeCredentials(store: StandInStore, deviceId: string, credentials: FormattedCredentials): CredentialsRecord {
  const existing = store.credentialsByDevice.get(deviceId);
  if (existing !== undefined) store.deviceIdByCredentialsId.delete(existing.credentialsId);
  const record: CredentialsRecord = {
    id: existing?.id ?? randomUUID(),
    createdTime: existing?.createdTime ?? store.now(),
    deviceId,
    ...credentials,
    version: (existing?.version ?? 0) + 1,
  };
  store.credentialsByDevice.set(deviceId, record);
  store.deviceIdByCredentialsId.set(record.credentialsId, deviceId);
  return record;
}

/**
 * Creates or updates a device. On create, `credentials` (or a token from `accessToken`, or a
 * random token) are saved with it. On update, credentials are replaced only when given.
 */
export function saveDevice(
  store: StandInStore,
  body: unknown,
  options: { credentials?: Record<string, unknown>; accessToken?: string; nameConflict: NameConflictOptions },
): DeviceRecord {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('Invalid request body');
  const input = body as Record<string, unknown>;

  let name = validateText('name', input.name);
  const type = validateText('type', input.type);
  const label = validateText('label', input.label);
  validateAdditionalInfo(input.additionalInfo);
  if (name === null || name.trim() === '') throw badRequest('Device name should be specified!');
  if (name.includes('\u0000')) throw badRequest('Device name should not contain 0x00 symbol!');

  const existing = input.id === undefined || input.id === null ? undefined : store.devices.get(readEntityId(input.id, 'DEVICE'));
  if (input.id !== undefined && input.id !== null && existing === undefined) {
    throw notFound(`Device with id [${readEntityId(input.id, 'DEVICE')}] is not found`);
  }
  const profile = resolveProfile(store, input, type);
  if (existing === undefined && store.maxDevices > 0 && store.devices.size >= store.maxDevices) {
    throw new EnvelopeError(403, 'Devices limit reached', ErrorCode.entitiesLimitExceeded, {
      entityType: 'DEVICE',
      limit: store.maxDevices,
    });
  }
  if (existing !== undefined && typeof input.version === 'number' && input.version !== existing.version) {
    throw versionConflict('Device was already changed by someone else');
  }

  const holder = store.findDeviceByName(name);
  if (holder !== undefined && holder.id !== existing?.id) {
    if (options.nameConflict.policy !== 'UNIQUIFY') throw badRequest('Device with such name already exists!');
    name = uniqueName(store, name, options.nameConflict);
  }

  let credentials: FormattedCredentials | undefined;
  if (options.credentials !== undefined) {
    credentials = formatCredentials(options.credentials);
  } else if (existing === undefined) {
    credentials = formatCredentials({ credentialsType: 'ACCESS_TOKEN', credentialsId: options.accessToken }, true);
  }
  if (credentials !== undefined) checkCredentialsFree(store, credentials, existing?.id);

  // Every check passed: commit the profile (if `type` names a new one), the device and its credentials.
  const resolved = typeof profile === 'string' ? store.addProfile({ name: profile }) : profile;
  const device: DeviceRecord = {
    id: existing?.id ?? randomUUID(),
    createdTime: existing?.createdTime ?? store.now(),
    name,
    label,
    deviceProfileId: resolved.id,
    additionalInfo: input.additionalInfo ?? null,
    externalId: input.externalId ?? null,
    version: (existing?.version ?? 0) + 1,
  };
  store.devices.set(device.id, device);
  if (credentials !== undefined) storeCredentials(store, device.id, credentials);
  return device;
}

/** Updates a device's credentials; the body must carry the id of its existing credentials record. */
export function updateCredentials(store: StandInStore, body: unknown): CredentialsRecord {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('Invalid entity id');
  const input = body as Record<string, unknown>;
  if (input.deviceId === undefined || input.deviceId === null) throw badRequest('Invalid entity id');
  const deviceId = readEntityId(input.deviceId, 'DEVICE');
  if (!store.devices.has(deviceId)) throw notFound(`Device with id [${deviceId}] is not found`);

  const formatted = formatCredentials(input);
  const existing = store.credentialsByDevice.get(deviceId);
  const requestedId = readCredentialsRecordId(input.id);
  if (requestedId === undefined) throw badRequest('Credentials for this device are already specified!');
  if (existing === undefined || existing.id !== requestedId) {
    throw badRequest('Unable to update non-existent device credentials!');
  }
  // NOTE: ThingsBoard's exact wording for a stale credentials version was not confirmed.
  if (typeof input.version === 'number' && input.version !== existing.version) {
    throw versionConflict('Device credentials were already changed by someone else');
  }
  checkCredentialsFree(store, formatted, deviceId);
  return storeCredentials(store, deviceId, formatted);
}

function readCredentialsRecordId(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || typeof (value as Record<string, unknown>).id !== 'string') {
    throw badRequest('JSON parse error: Missing id!');
  }
  return String((value as Record<string, unknown>).id).toLowerCase();
}

export function deviceJson(store: StandInStore, device: DeviceRecord): Record<string, unknown> {
  const profile = store.profiles.get(device.deviceProfileId);
  return {
    id: entityId('DEVICE', device.id),
    createdTime: device.createdTime,
    tenantId: entityId('TENANT', store.tenantId),
    customerId: entityId('CUSTOMER', NULL_UUID),
    name: device.name,
    type: profile?.name ?? 'default',
    label: device.label,
    deviceProfileId: entityId('DEVICE_PROFILE', device.deviceProfileId),
    deviceData: { configuration: { type: 'DEFAULT' }, transportConfiguration: { type: 'DEFAULT' } },
    firmwareId: null,
    softwareId: null,
    externalId: device.externalId,
    version: device.version,
    additionalInfo: device.additionalInfo,
  };
}

export function deviceInfoJson(store: StandInStore, device: DeviceRecord): Record<string, unknown> {
  const profile = store.profiles.get(device.deviceProfileId);
  return {
    ...deviceJson(store, device),
    customerTitle: null,
    customerIsPublic: false,
    deviceProfileName: profile?.name ?? 'default',
    active: store.attributeMap(device.id, 'SERVER_SCOPE').get('active')?.value === true,
  };
}

export function credentialsJson(record: CredentialsRecord): Record<string, unknown> {
  return {
    id: { id: record.id },
    createdTime: record.createdTime,
    deviceId: entityId('DEVICE', record.deviceId),
    credentialsType: record.credentialsType,
    credentialsId: record.credentialsId,
    credentialsValue: record.credentialsValue,
    version: record.version,
  };
}
