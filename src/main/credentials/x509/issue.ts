// The three ways the station gives a device a certificate:
//   issueSelfSigned   the station makes the key and a self-signed certificate
//   issueWithCaKey    the station makes the key and its issuing CA signs the certificate
//   signDeviceCsr     the device made the key and sent a CSR; the issuing CA signs its public key
// Device private keys exist only in the returned object, never in a file, a row or a log line.
import { createHash, createPublicKey, webcrypto, type KeyObject } from 'node:crypto';
import { x509 } from './x509-lib';
import { StationError } from '../../../shared/reasons';
import type { Issuer } from './issuer';
import { generateKeyPairFor, signingAlgorithmFor, toPkcs8Pem, toSigningKey, toVerifyingKey, type KeyAlgorithm } from './keys';
import { thingsboardCredentialsId, toPem } from './pem';
import {
  checkCommonName,
  checkNameAgainstPattern,
  commonNameSubject,
  deviceExtensions,
  deviceValidity,
  type DeviceCertificateOptions,
} from './profile';
import { newSerialNumber } from './serial';

export type IssuanceMode = 'self-signed' | 'ca-signed' | 'device-csr';

export interface IssueOptions extends DeviceCertificateOptions {
  /** Key type for the modes in which the station makes the key; EC P-256 by default. */
  keyAlgorithm?: KeyAlgorithm;
}

export interface IssuedCertificate {
  mode: IssuanceMode;
  /** The subject common name, which is the device name. */
  subject: string;
  /** The leaf certificate as canonical PEM. */
  certificatePem: string;
  /**
   * The device's PKCS#8 private key PEM, only when the station made the key. The property is not
   * enumerable, so JSON.stringify and loggers skip it; write it to the device and drop it.
   */
  privateKeyPem?: string;
  /** The issuer chain for the device, issuing CA first and root last; empty when self-signed. */
  chainPem: string;
  serialHex: string;
  notBefore: Date;
  notAfter: Date;
  /** ThingsBoard's credentialsId for this certificate: SHA3-256 of its base64 body. */
  thingsboardCredentialsId: string;
  /** Lowercase hex SHA-256 of the certificate's DER, as the issuance log records it. */
  certificateSha256: string;
}

export async function issueSelfSigned(name: string, options: IssueOptions = {}): Promise<IssuedCertificate> {
  checkCommonName(name);
  checkNameAgainstPattern(name, options.cnPattern);

  const { privateKey, publicKey } = await generateKeyPairFor(options.keyAlgorithm ?? 'ec-p256');
  const subjectKey = await toVerifyingKey(publicKey);
  const subjectKeyId = await x509.SubjectKeyIdentifierExtension.create(subjectKey);
  const certificate = await buildCertificate({
    name,
    subjectKey,
    keyType: keyTypeOf(publicKey),
    issuerName: commonNameSubject(name),
    authorityKeyId: subjectKeyId.keyId,
    signingKey: await toSigningKey(privateKey),
    signingAlgorithm: signingAlgorithmFor(privateKey),
    issuerNotAfter: undefined,
    options,
  });
  return describeIssued('self-signed', name, certificate, '', toPkcs8Pem(privateKey));
}

export async function issueWithCaKey(name: string, issuer: Issuer, options: IssueOptions = {}): Promise<IssuedCertificate> {
  checkCommonName(name);
  checkNameAgainstPattern(name, options.cnPattern);

  const { privateKey, publicKey } = await generateKeyPairFor(options.keyAlgorithm ?? 'ec-p256');
  const certificate = await signForPublicKey(name, publicKey, issuer, options);
  return describeIssued('ca-signed', name, certificate, issuer.chainPem, toPkcs8Pem(privateKey));
}

/**
 * Signs a device's CSR after checking its signature (proof that the device has the private key) and
 * that its subject CN is exactly `expectedName`. Raises csr-invalid or csr-name-mismatch.
 */
export async function signDeviceCsr(
  csrPem: string,
  expectedName: string,
  issuer: Issuer,
  options: DeviceCertificateOptions = {},
): Promise<IssuedCertificate> {
  checkCommonName(expectedName);
  checkNameAgainstPattern(expectedName, options.cnPattern);

  const csr = parseCsr(csrPem);
  if (!(await csr.verify(webcrypto as Crypto))) {
    throw new StationError('csr-invalid', 'the CSR signature does not verify with the public key it contains');
  }
  const commonNames = csr.subjectName.getField('CN');
  if (commonNames.length !== 1 || commonNames[0] !== expectedName) {
    throw new StationError('csr-name-mismatch', `the CSR subject is ${JSON.stringify(csr.subject)}, expected CN=${expectedName}`);
  }

  const publicKey = createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki' });
  const certificate = await signForPublicKey(expectedName, publicKey, issuer, options, 'csr-invalid');
  return describeIssued('device-csr', expectedName, certificate, issuer.chainPem, undefined);
}

/**
 * Issues a CA-signed device certificate for a public key the caller already has. The CSR mode
 * uses it, and a test uses it to issue many certificates without generating a key for each.
 */
export async function signForPublicKey(
  name: string,
  publicKey: KeyObject,
  issuer: Issuer,
  options: DeviceCertificateOptions = {},
  unsupportedKeyReason: 'csr-invalid' | 'invalid-argument' = 'invalid-argument',
): Promise<x509.X509Certificate> {
  checkCommonName(name);
  checkNameAgainstPattern(name, options.cnPattern);

  let subjectKey: CryptoKey;
  try {
    subjectKey = await toVerifyingKey(publicKey);
  } catch (error) {
    const detail = error instanceof StationError ? (error.detail ?? error.code) : 'the public key cannot be read';
    throw new StationError(unsupportedKeyReason, `device key: ${detail}`, { cause: error });
  }

  return buildCertificate({
    name,
    subjectKey,
    keyType: keyTypeOf(publicKey),
    issuerName: issuer.certificate.subjectName,
    authorityKeyId: issuer.keyId,
    signingKey: issuer.signingKey,
    signingAlgorithm: issuer.signingAlgorithm,
    issuerNotAfter: issuer.notAfter,
    options,
  });
}

/** Builds the IssuedCertificate result for a certificate; exported for callers of signForPublicKey. */
export function describeIssued(
  mode: IssuanceMode,
  name: string,
  certificate: x509.X509Certificate,
  chainPem: string,
  privateKeyPem: string | undefined,
): IssuedCertificate {
  const certificatePem = toPem('CERTIFICATE', certificate.rawData);
  const issued: IssuedCertificate = {
    mode,
    subject: name,
    certificatePem,
    chainPem,
    serialHex: certificate.serialNumber,
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
    thingsboardCredentialsId: thingsboardCredentialsId(certificatePem),
    certificateSha256: createHash('sha256').update(Buffer.from(certificate.rawData)).digest('hex'),
  };
  if (privateKeyPem !== undefined) {
    Object.defineProperty(issued, 'privateKeyPem', { value: privateKeyPem, enumerable: false });
  }
  return issued;
}

interface CertificateInput {
  name: string;
  subjectKey: CryptoKey;
  keyType: 'ec' | 'rsa';
  issuerName: x509.Name;
  authorityKeyId: string;
  signingKey: CryptoKey;
  signingAlgorithm: Algorithm;
  issuerNotAfter: Date | undefined;
  options: DeviceCertificateOptions;
}

async function buildCertificate(input: CertificateInput): Promise<x509.X509Certificate> {
  const { notBefore, notAfter } = deviceValidity(input.options, input.issuerNotAfter);
  const serialNumber = newSerialNumber(input.options.isSerialTaken ?? (() => false));

  return x509.X509CertificateGenerator.create({
    serialNumber,
    subject: commonNameSubject(input.name),
    issuer: input.issuerName,
    notBefore,
    notAfter,
    publicKey: input.subjectKey,
    signingKey: input.signingKey,
    signingAlgorithm: input.signingAlgorithm,
    extensions: await deviceExtensions(input.subjectKey, input.authorityKeyId, input.keyType),
  });
}

function parseCsr(csrPem: string): x509.Pkcs10CertificateRequest {
  try {
    return new x509.Pkcs10CertificateRequest(csrPem);
  } catch (error) {
    throw new StationError('csr-invalid', 'the CSR is not a PEM or DER PKCS#10 request', { cause: error });
  }
}

function keyTypeOf(key: KeyObject): 'ec' | 'rsa' {
  return key.asymmetricKeyType === 'rsa' ? 'rsa' : 'ec';
}
