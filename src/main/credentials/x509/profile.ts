// The device certificate profile: validity, the subject name rule and the extensions.
import { x509 } from './x509-lib';
import { StationError } from '../../../shared/reasons';

const DAY_MS = 24 * 60 * 60 * 1000;
const MINUTE_MS = 60 * 1000;

/** Default device certificate life: 10 years, because devices in the field are rarely re-provisioned. */
export const DEFAULT_DEVICE_VALIDITY_DAYS = 3650;

/** Default back-dating of notBefore: devices without a real-time clock may run a little behind. */
export const DEFAULT_BACKDATE_MINUTES = 60;

export interface DeviceCertificateOptions {
  /** Days from now until notAfter, before clamping to the issuing CA's notAfter. */
  validityDays?: number;
  /** Minutes by which notBefore precedes the time of issue. */
  backdateMinutes?: number;
  /**
   * The device profile's certificateRegExPattern (a Java regular expression). The station signs
   * only a device name that the pattern matches in full.
   */
  cnPattern?: string;
  /** Tells whether a serial number is already in the station's issuance log. */
  isSerialTaken?: (serialHex: string) => boolean;
  /** The time of issue; the current time by default. */
  now?: Date;
}

export interface Validity {
  notBefore: Date;
  notAfter: Date;
}

/**
 * Computes a device certificate's validity. notAfter is clamped to `issuerNotAfter`, because a
 * certificate that outlives its CA stops verifying when the CA expires anyway. Raises
 * issuer-expired when the CA leaves no validity at all.
 */
export function deviceValidity(options: DeviceCertificateOptions, issuerNotAfter?: Date): Validity {
  const now = options.now ?? new Date();
  const validityDays = options.validityDays ?? DEFAULT_DEVICE_VALIDITY_DAYS;
  const backdateMinutes = options.backdateMinutes ?? DEFAULT_BACKDATE_MINUTES;
  if (!(validityDays > 0) || !(backdateMinutes >= 0)) {
    throw new StationError('invalid-argument', `validity must be positive days and back-dating non-negative minutes, got ${validityDays} and ${backdateMinutes}`);
  }

  const notBefore = wholeSeconds(now.getTime() - backdateMinutes * MINUTE_MS);
  let notAfter = wholeSeconds(now.getTime() + validityDays * DAY_MS);
  if (issuerNotAfter !== undefined && notAfter > issuerNotAfter) {
    notAfter = new Date(issuerNotAfter.getTime());
  }
  if (notAfter.getTime() <= now.getTime()) {
    throw new StationError('issuer-expired', `the issuing CA expired at ${notAfter.toISOString()}`);
  }
  return { notBefore, notAfter };
}

/**
 * Raises certificate-name-rejected unless `pattern` matches the whole device name, as Java's
 * Matcher.matches() does when ThingsBoard applies certificateRegExPattern to the CN.
 */
export function checkNameAgainstPattern(name: string, pattern: string | undefined, options: { syntaxOnly?: boolean } = {}): void {
  if (pattern === undefined) {
    return;
  }

  // NOTE: the pattern is Java syntax run as a JavaScript RegExp. The common subset agrees, but
  // Java-only classes such as \p{Lower} match literal text here instead of raising an error.
  let expression: RegExp;
  try {
    expression = new RegExp(`^(?:${pattern})$`);
  } catch (error) {
    throw new StationError('invalid-argument', `certificate name pattern ${JSON.stringify(pattern)} is not a valid regular expression`, { cause: error });
  }
  if (options.syntaxOnly === true) {
    return;
  }
  if (!expression.test(name)) {
    throw new StationError('certificate-name-rejected', `device name ${JSON.stringify(name)} does not match ${JSON.stringify(pattern)}`);
  }
}

/** Raises name-invalid for a name that cannot be a certificate's common name. */
export function checkCommonName(name: string): void {
  // RFC 5280 caps commonName at 64 characters (ub-common-name).
  if (name.length === 0 || name.length > 64 || /[\p{Cc}]/u.test(name)) {
    throw new StationError('name-invalid', `a certificate common name needs 1 to 64 printable characters, got ${JSON.stringify(name)}`);
  }
}

/**
 * The name CN=<name> as one UTF8String. The explicit string type matters: @peculiar/x509 reads a
 * plain string value as DN text and strips quotes, backslashes and a leading '#'.
 */
export function commonNameSubject(name: string): x509.Name {
  return new x509.Name([{ CN: [{ utf8String: name }] }]);
}

/**
 * The extensions of a device certificate: basicConstraints CA:FALSE and keyUsage (both critical),
 * extendedKeyUsage clientAuth, and the subject and authority key identifiers.
 */
export async function deviceExtensions(
  subjectKey: CryptoKey,
  authorityKeyId: string,
  keyType: 'ec' | 'rsa',
): Promise<x509.Extension[]> {
  // RSA keys may also wrap a TLS 1.2 RSA key exchange secret; EC keys only sign.
  const usages =
    keyType === 'rsa'
      ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment
      : x509.KeyUsageFlags.digitalSignature;

  return [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(usages, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
    await x509.SubjectKeyIdentifierExtension.create(subjectKey),
    new x509.AuthorityKeyIdentifierExtension(authorityKeyId),
  ];
}

/** The extensions of a CA certificate: CA:TRUE with an optional path length, keyCertSign and cRLSign. */
export async function caExtensions(subjectKey: CryptoKey, authorityKeyId: string | undefined, pathLength?: number): Promise<x509.Extension[]> {
  const subjectKeyId = await x509.SubjectKeyIdentifierExtension.create(subjectKey);
  return [
    new x509.BasicConstraintsExtension(true, pathLength, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    subjectKeyId,
    new x509.AuthorityKeyIdentifierExtension(authorityKeyId ?? subjectKeyId.keyId),
  ];
}

/** Returns a certificate's subject key identifier, computing one from its key when it has none. */
export async function subjectKeyIdOf(certificate: x509.X509Certificate): Promise<string> {
  const extension = certificate.getExtension(x509.SubjectKeyIdentifierExtension);
  if (extension !== null) {
    return extension.keyId;
  }
  const computed = await x509.SubjectKeyIdentifierExtension.create(certificate.publicKey);
  return computed.keyId;
}

function wholeSeconds(milliseconds: number): Date {
  return new Date(Math.floor(milliseconds / 1000) * 1000);
}
