// The X.509 credential step of a provisioning job. Three modes: the station makes the key and a
// self-signed certificate, the station makes the key and its issuing CA signs, or the device
// makes the key (GENKEY) and the issuing CA signs its CSR. The device private key is never
// stored: the station keeps only the certificate and the SHA-256 of the key it wrote, so a
// station-made key that never reached the device cannot be written again and is replaced.
import { X509Certificate } from 'node:crypto';
import type { DeviceFields } from '../../shared/domain';
import { StationError } from '../../shared/reasons';
import { deviceFieldsFor, digestFields, mismatchedFields, type ServerAddress } from '../credentials/generate';
import { issueSelfSigned, issueWithCaKey, signDeviceCsr, type IssuedCertificate } from '../credentials/x509/issue';
import type { Issuer } from '../credentials/x509/issuer';
import { x509 } from '../credentials/x509/x509-lib';
import { checkNameAgainstPattern, type DeviceCertificateOptions } from '../credentials/x509/profile';
import type { DeviceLink, KeyAlgorithm } from '../device/link';
import { getLogger } from '../log';
import type { IssuerStore } from '../store/issuer-store';
import type { CredentialSecret, Store, StoredCredential, Unit, X509Mode } from '../store/store';

const log = getLogger('provision');

export interface X509Settings {
  mode: X509Mode;
  keyAlgorithm: KeyAlgorithm;
  /** The loaded issuing CA with its id; required for ca-key and device-csr. */
  issuer?: { id: number; issuer: Issuer };
  issuerStore: IssuerStore;
  certificate?: Omit<DeviceCertificateOptions, 'isSerialTaken' | 'now'>;
}

export interface PreparedCredential {
  credential: StoredCredential;
  /** Everything to write, including a station-made private key held in memory only. */
  fields: DeviceFields;
  alreadyHeld: boolean;
}

/**
 * Returns the unit's X.509 credential and what to write. `reported` is the device's VERIFY
 * answer from before any write: it tells whether the device already holds the active credential.
 */
export async function prepareX509Credential(
  store: Store,
  link: DeviceLink,
  unit: Unit,
  settings: X509Settings,
  server: ServerAddress | undefined,
  reported: DeviceFields,
): Promise<PreparedCredential> {
  const active = store.activeCredential(unit.id);

  if (active !== undefined) {
    if (active.secret.type !== 'x509' || active.secret.mode !== settings.mode) {
      const hint = active.secret.type === 'x509' ? `--credential x509 --x509-mode ${active.secret.mode}` : `--credential ${active.type}`;
      throw new StationError('credential-type-unsupported', `unit "${unit.name}" holds a credential this station gave with ${hint}`);
    }
    const reused = await reuseActive(link, unit, active, active.secret, settings, server, reported);
    if (reused !== undefined) {
      return reused;
    }
    store.retireCredential(active.id, 'the device never held this certificate and its key cannot be written again; a new one replaced it');
    log.info({ unit: unit.name, credentialId: active.id }, 'certificate replaced: the device never held it');
  }

  return issueAndCommit(store, link, unit, settings, server);
}

/** Returns the active credential again when the device holds it or can still take it. */
async function reuseActive(
  link: DeviceLink,
  unit: Unit,
  active: StoredCredential,
  secret: Extract<CredentialSecret, { type: 'x509' }>,
  settings: X509Settings,
  server: ServerAddress | undefined,
  reported: DeviceFields,
): Promise<PreparedCredential | undefined> {
  const fields = deviceFieldsFor(secret, server);
  const expected = { ...digestFields(fields), ...pick(active.digests, 'private_key') };

  if (mismatchedFields(expected, reported).length === 0 && reported.private_key !== undefined) {
    return { credential: { ...active, digests: expected }, fields, alreadyHeld: true };
  }

  // A device that made its own key keeps it pending until a matching certificate is committed,
  // so the same certificate can be written again as long as GENKEY returns the same key.
  if (settings.mode === 'device-csr') {
    const { csrPem } = await link.generateKey({ algorithm: settings.keyAlgorithm, commonName: unit.name });
    if (samePublicKey(csrPem, secret.certificatePem)) {
      return { credential: { ...active, digests: expected }, fields, alreadyHeld: false };
    }
  }
  return undefined;
}

async function issueAndCommit(
  store: Store,
  link: DeviceLink,
  unit: Unit,
  settings: X509Settings,
  server: ServerAddress | undefined,
): Promise<PreparedCredential> {
  const issued = await issue(link, unit, settings);
  const secret: CredentialSecret = {
    type: 'x509',
    mode: settings.mode,
    certificatePem: issued.certificatePem,
    chainPem: issued.chainPem,
    serialHex: issued.serialHex,
    notAfter: issued.notAfter.toISOString(),
    credentialsId: issued.thingsboardCredentialsId,
  };
  const fields = deviceFieldsFor(secret, server, issued.privateKeyPem);

  // The log entry and the credential commit in one transaction: the certificate is never on a
  // device without both. The key's SHA-256 is kept to recognise it later; the key itself is not.
  const credential = store.database.transaction(() => {
    settings.issuerStore.recordIssuance(issued, settings.issuer?.id ?? null);
    return store.commitCredential(unit.id, secret, digestFields(fields));
  })();
  return { credential, fields, alreadyHeld: false };
}

async function issue(link: DeviceLink, unit: Unit, settings: X509Settings): Promise<IssuedCertificate> {
  const options = { ...settings.certificate, isSerialTaken: (serialHex: string) => settings.issuerStore.isSerialUsed(serialHex) };

  if (settings.mode === 'self-signed') {
    return issueSelfSigned(unit.name, { ...options, keyAlgorithm: settings.keyAlgorithm });
  }

  const issuer = settings.issuer?.issuer;
  if (issuer === undefined) {
    throw new StationError('issuer-missing', `--x509-mode ${settings.mode} needs the station's issuing CA; create or import one with \`station issuer\``);
  }
  if (settings.mode === 'ca-key') {
    return issueWithCaKey(unit.name, issuer, { ...options, keyAlgorithm: settings.keyAlgorithm });
  }

  // The name is checked before the device spends time on a key it would then keep pending.
  checkNameAgainstPattern(unit.name, options.cnPattern);
  const { csrPem } = await link.generateKey({ algorithm: settings.keyAlgorithm, commonName: unit.name });
  return signDeviceCsr(csrPem, unit.name, issuer, options);
}

/** Returns whether the CSR contains the same public key as the certificate. */
function samePublicKey(csrPem: string, certificatePem: string): boolean {
  try {
    const certificateKey = new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'der' });
    const csrKey = Buffer.from(new x509.Pkcs10CertificateRequest(csrPem).publicKey.rawData);
    return csrKey.equals(certificateKey);
  } catch {
    return false;
  }
}

function pick(fields: DeviceFields, name: keyof DeviceFields): DeviceFields {
  return fields[name] === undefined ? {} : { [name]: fields[name] };
}
