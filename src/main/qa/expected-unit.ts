// The expectation QA compares a unit with: its name and credential. They come from the
// station's own record when this station provisioned it, else from the server (the device found
// by name, its provisioning attribute and its credentials). The credential is never shown; only its digests and public
// parts are compared.
import { createHash } from 'node:crypto';
import type { CredentialType, DeviceFields, DeviceHello } from '../../shared/domain';
import { StationError } from '../../shared/reasons';
import type { X509Mode } from '../store/store';
import type { Store } from '../store/store';
import { toPem } from '../credentials/x509/pem';
import { applyNamingRule, DEFAULT_NAMING_RULE } from '../provisioning/naming';
import { toThingsboardCredentials, PROVISIONING_ATTRIBUTE } from '../sync/sync';
import { normalizeCertificate, type TbCredentialsInput, type TbDeviceCredentials, type ThingsboardClient } from '../thingsboard/client';

export interface ExpectedUnit {
  name: string;
  hardwareId: string;
  source: 'station' | 'server';
  credentialType: CredentialType;
  /** SHA-256 per device field that the device must report. */
  digests: DeviceFields;
  /** The credentials the server must hold, when the station has its own record. */
  serverCredentials?: TbCredentialsInput;
  /** The server device's id, when it was looked up already. */
  serverDeviceId?: string;
  x509?: { certificatePem: string; chainPem: string; mode: X509Mode };
}

export interface IdentifyOptions {
  /** The device name the operator gave or scanned; otherwise the record or the naming rule gives it. */
  name?: string;
  namingRule?: string;
}

/** Finds the station's record of the unit with this hardware id, or undefined when there is none. */
export function expectedFromStation(store: Store, hardwareId: string, options: IdentifyOptions): ExpectedUnit | undefined {
  const unit = store.findUnitByHardwareId(hardwareId);
  if (unit === undefined) {
    return undefined;
  }
  if (options.name !== undefined && options.name !== unit.name) {
    throw new StationError('qa-identity-mismatch', `hardware id ${hardwareId} was provisioned as "${unit.name}", not "${options.name}"`);
  }
  const credential = store.activeCredential(unit.id);
  if (credential === undefined) {
    throw new StationError('qa-unit-unknown', `unit "${unit.name}" has no active credential on this station`);
  }

  const expected: ExpectedUnit = {
    name: unit.name,
    hardwareId: unit.hardwareId,
    source: 'station',
    credentialType: credential.type,
    digests: credential.digests,
    serverCredentials: toThingsboardCredentials(credential.secret),
  };
  if (credential.secret.type === 'x509') {
    expected.x509 = { certificatePem: credential.secret.certificatePem, chainPem: credential.secret.chainPem, mode: credential.secret.mode };
  }
  return expected;
}

/**
 * Builds the expectation from the server: the device named by the operator or the naming rule,
 * whose provisioning attribute must carry the device's hardware id.
 */
export async function expectedFromServer(client: ThingsboardClient, hello: DeviceHello, options: IdentifyOptions): Promise<ExpectedUnit> {
  const name = options.name ?? applyNamingRule(options.namingRule ?? DEFAULT_NAMING_RULE, hello);
  const device = await client.getDeviceByName(name);
  if (device === null) {
    throw new StationError('qa-unit-unknown', `no server device is named "${name}"; give the unit's name with --name`);
  }

  const attributes = await client.getServerAttributes(device.id.id, [PROVISIONING_ATTRIBUTE]);
  const record = attributes.find((attribute) => attribute.key === PROVISIONING_ATTRIBUTE)?.value as { hardwareId?: unknown } | undefined;
  if (record?.hardwareId !== hello.hardwareId) {
    const recorded = typeof record?.hardwareId === 'string' ? record.hardwareId : 'none';
    throw new StationError('qa-identity-mismatch', `server device "${name}" was provisioned for hardware id ${recorded}, the device reports ${hello.hardwareId}`);
  }

  const held = await client.getDeviceCredentials(device.id.id);
  return { name, hardwareId: hello.hardwareId, source: 'server', serverDeviceId: device.id.id, ...fromServerCredentials(held) };
}

/** The digests a device must report for the credentials the server holds. */
function fromServerCredentials(held: TbDeviceCredentials): Pick<ExpectedUnit, 'credentialType' | 'digests' | 'x509'> {
  switch (held.credentialsType) {
    case 'ACCESS_TOKEN':
      return { credentialType: 'token', digests: { token: sha256(held.credentialsId ?? '') } };
    case 'MQTT_BASIC': {
      const value = JSON.parse(held.credentialsValue ?? '{}') as { clientId?: string; userName?: string; password?: string };
      const digests: DeviceFields = {};
      if (value.clientId) digests.mqtt_client_id = sha256(value.clientId);
      if (value.userName) digests.mqtt_username = sha256(value.userName);
      if (value.password) digests.mqtt_password = sha256(value.password);
      return { credentialType: 'mqtt-basic', digests };
    }
    case 'X509_CERTIFICATE': {
      // The station writes canonical PEM, so the server's base64 body gives the same text back.
      // NOTE: a unit whose certificate another tool wrote with other line breaks fails the
      // stored-credential check when QA works from the server's record.
      const certificatePem = toPem('CERTIFICATE', Buffer.from(normalizeCertificate(held.credentialsValue ?? ''), 'base64'));
      return { credentialType: 'x509', digests: { certificate: sha256(certificatePem) }, x509: { certificatePem, chainPem: '', mode: 'ca-key' } };
    }
    default:
      throw new StationError('qa-server-credential-mismatch', `the server device has ${held.credentialsType} credentials, which QA does not check`);
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
