// The stand-in's in-memory data: one tenant with its devices, credentials, device profiles
// and attributes. Routes validate requests and call these helpers. Nothing is persisted, so
// a restart starts from a fresh tenant.
import { randomUUID } from 'node:crypto';

import { badRequest, EnvelopeError, ErrorCode } from './errors';
import type { CredentialsType } from './credentials-format';

export const NULL_UUID = '13814000-1dd2-11b2-8080-808080808080';

export interface EntityId {
  entityType: string;
  id: string;
}

export interface DeviceRecord {
  id: string;
  createdTime: number;
  name: string;
  label: string | null;
  deviceProfileId: string;
  additionalInfo: unknown;
  externalId: unknown;
  version: number;
}

export interface CredentialsRecord {
  id: string;
  createdTime: number;
  deviceId: string;
  credentialsType: CredentialsType;
  credentialsId: string;
  credentialsValue: string | null;
  version: number;
}

export interface ProfileRecord {
  id: string;
  createdTime: number;
  name: string;
  isDefault: boolean;
  provisionType: string;
  provisionDeviceKey: string | null;
  version: number;
  /** The remaining fields as the caller sent them (description, profileData, transportType, ...). */
  fields: Record<string, unknown>;
}

export interface AttributeEntry {
  value: unknown;
  lastUpdateTs: number;
}

export type AttributeScope = 'SERVER_SCOPE' | 'SHARED_SCOPE' | 'CLIENT_SCOPE';

/** The latest value of one telemetry key. */
export interface TelemetryPoint {
  ts: number;
  value: unknown;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(text: string): boolean {
  return UUID_PATTERN.test(text);
}

/** Validates a UUID path parameter; a malformed one is a 400/31, as Spring's conversion gives. */
export function requireUuid(text: string): string {
  if (!isUuid(text)) throw badRequest(`Invalid UUID string: ${text}`);
  return text.toLowerCase();
}

/** Reads an entity id object from a request body; both fields are required, as in ThingsBoard. */
export function readEntityId(value: unknown, entityType: string): string {
  if (value === null || typeof value !== 'object') throw badRequest('JSON parse error: Missing entityType or id!');
  const record = value as Record<string, unknown>;
  if (typeof record.entityType !== 'string' || typeof record.id !== 'string') {
    throw badRequest('JSON parse error: Missing entityType or id!');
  }
  if (record.entityType !== entityType) {
    throw badRequest(`JSON parse error: expected entityType ${entityType} but got ${record.entityType}`);
  }
  if (!isUuid(record.id)) throw badRequest(`JSON parse error: Invalid UUID string: ${record.id}`);
  return record.id.toLowerCase();
}

export function entityId(entityType: string, id: string): EntityId {
  return { entityType, id };
}

export class StandInStore {
  readonly tenantId = randomUUID();
  readonly devices = new Map<string, DeviceRecord>();
  readonly credentialsByDevice = new Map<string, CredentialsRecord>();
  readonly deviceIdByCredentialsId = new Map<string, string>();
  readonly profiles = new Map<string, ProfileRecord>();
  /** Telemetry messages received from each device over HTTP or MQTT, by device id. */
  readonly telemetryCount = new Map<string, number>();
  private readonly attributes = new Map<string, Map<string, AttributeEntry>>();
  private readonly telemetry = new Map<string, Map<string, TelemetryPoint>>();

  constructor(
    readonly now: () => number,
    /** Maximum number of devices; 0 is unlimited. Tests may change it while the server runs. */
    public maxDevices: number,
  ) {
    this.addProfile({ name: 'default', isDefault: true, description: 'Default device profile' });
  }

  findDeviceByName(name: string): DeviceRecord | undefined {
    for (const device of this.devices.values()) if (device.name === name) return device;
    return undefined;
  }

  defaultProfile(): ProfileRecord {
    for (const profile of this.profiles.values()) if (profile.isDefault) return profile;
    throw new EnvelopeError(500, 'Default device profile is missing', ErrorCode.general);
  }

  findProfileByName(name: string): ProfileRecord | undefined {
    for (const profile of this.profiles.values()) if (profile.name === name) return profile;
    return undefined;
  }

  findProfileByProvisionKey(key: string): ProfileRecord | undefined {
    for (const profile of this.profiles.values()) if (profile.provisionDeviceKey === key) return profile;
    return undefined;
  }

  /** Adds a profile with ThingsBoard's defaults for every field the caller leaves out. */
  addProfile(input: { name: string; isDefault?: boolean; description?: string }): ProfileRecord {
    const profile: ProfileRecord = {
      id: randomUUID(),
      createdTime: this.now(),
      name: input.name,
      isDefault: input.isDefault ?? false,
      provisionType: 'DISABLED',
      provisionDeviceKey: null,
      version: 1,
      fields: {
        description: input.description ?? null,
        type: 'DEFAULT',
        transportType: 'DEFAULT',
        profileData: defaultProfileData(),
      },
    };
    this.profiles.set(profile.id, profile);
    return profile;
  }

  removeDevice(deviceId: string): void {
    const credentials = this.credentialsByDevice.get(deviceId);
    if (credentials !== undefined) this.deviceIdByCredentialsId.delete(credentials.credentialsId);
    this.credentialsByDevice.delete(deviceId);
    this.devices.delete(deviceId);
    for (const scope of ['SERVER_SCOPE', 'SHARED_SCOPE', 'CLIENT_SCOPE']) this.attributes.delete(`${deviceId}/${scope}`);
    this.telemetry.delete(deviceId);
  }

  /** Finds the device whose credentials have this credentialsId, and returns both records. */
  findByCredentialsId(credentialsId: string): { device: DeviceRecord; credentials: CredentialsRecord } | undefined {
    const deviceId = this.deviceIdByCredentialsId.get(credentialsId);
    const device = deviceId === undefined ? undefined : this.devices.get(deviceId);
    const credentials = deviceId === undefined ? undefined : this.credentialsByDevice.get(deviceId);
    return device === undefined || credentials === undefined ? undefined : { device, credentials };
  }

  /** Returns the device whose ACCESS_TOKEN credentials have this token. */
  findDeviceByAccessToken(token: string): DeviceRecord | undefined {
    const deviceId = this.deviceIdByCredentialsId.get(token);
    if (deviceId === undefined) return undefined;
    const credentials = this.credentialsByDevice.get(deviceId);
    if (credentials?.credentialsType !== 'ACCESS_TOKEN') return undefined;
    return this.devices.get(deviceId);
  }

  /** Returns the latest value of each telemetry key a device has sent, by key, creating the map on first use. */
  latestTelemetry(deviceId: string): Map<string, TelemetryPoint> {
    let map = this.telemetry.get(deviceId);
    if (map === undefined) {
      map = new Map();
      this.telemetry.set(deviceId, map);
    }
    return map;
  }

  attributeMap(deviceId: string, scope: AttributeScope): Map<string, AttributeEntry> {
    const key = `${deviceId}/${scope}`;
    let map = this.attributes.get(key);
    if (map === undefined) {
      map = new Map();
      this.attributes.set(key, map);
    }
    return map;
  }
}

export function defaultProfileData(): Record<string, unknown> {
  return {
    configuration: { type: 'DEFAULT' },
    transportConfiguration: { type: 'DEFAULT' },
    provisionConfiguration: { type: 'DISABLED', provisionDeviceSecret: null },
    alarms: null,
  };
}
