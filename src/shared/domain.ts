// Domain terms shared by main, the command line and the renderer. See docs/device-protocol.md
// for the device fields and README.md for the words station, unit, job, outbox and sync.

/** Credential kinds, named as the command line spells them. */
export const CREDENTIAL_TYPES = ['token', 'mqtt-basic', 'x509'] as const;
export type CredentialType = (typeof CREDENTIAL_TYPES)[number];

/** ThingsBoard's name for each credential kind (`credentialsType` in its REST API). */
export const THINGSBOARD_CREDENTIALS_TYPE: Record<CredentialType, string> = {
  token: 'ACCESS_TOKEN',
  'mqtt-basic': 'MQTT_BASIC',
  x509: 'X509_CERTIFICATE',
};

/** Named fields a device stores; the protocol writes and verifies them by these names. */
export const DEVICE_FIELDS = [
  'token',
  'mqtt_client_id',
  'mqtt_username',
  'mqtt_password',
  'certificate',
  'private_key',
  'ca_chain',
  'server_host',
  'server_port',
] as const;
export type DeviceField = (typeof DEVICE_FIELDS)[number];
export type DeviceFields = Partial<Record<DeviceField, string>>;

/** Fields whose values are secrets: never logged, never sent to the renderer. */
export const SECRET_FIELDS: ReadonlySet<DeviceField> = new Set<DeviceField>(['token', 'mqtt_password', 'private_key']);

/** The identity and limits a device reports in its HELLO reply. */
export interface DeviceHello {
  protocolVersion: number;
  model: string;
  firmwareVersion: string;
  hardwareId: string;
  capabilities: string[];
  /** Largest frame, in bytes including the line end, that the device accepts. */
  maxFrameSize: number;
}

export type JobResult = 'passed' | 'failed';
