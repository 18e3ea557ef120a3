// The certificate and key checks of QA, as pure functions. They check the chain to a trusted
// root, the validity at the server's time, the common name and the key usage of a TLS client.
// They also verify a challenge signature made with the device's key.
import { X509Certificate, verify as verifySignature } from 'node:crypto';
import type { QaCheckResult } from '../../shared/qa';
import type { ReasonCode } from '../../shared/reasons';
import { x509 } from '../credentials/x509/x509-lib';

/** Key usage bit digitalSignature, which a TLS client certificate needs for its handshake signature. */
const DIGITAL_SIGNATURE = x509.KeyUsageFlags.digitalSignature;
const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';
const MAX_CHAIN_LENGTH = 8;

export interface CertificateCheckInput {
  certificatePem: string;
  /** Intermediates the device stores beside its certificate, leaf-side first. */
  chainPem: string;
  /** Root certificates QA trusts; empty for a self-signed unit, whose certificate is its own root. */
  trustedRootsPem: string[];
  selfSigned: boolean;
  deviceName: string;
  /** The server's time, the station clock corrected by the recorded skew. */
  at: Date;
}

export function checkCertificate(input: CertificateCheckInput): QaCheckResult {
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(input.certificatePem);
  } catch {
    return failed('qa-certificate-untrusted', 'the certificate on record cannot be parsed');
  }

  const chainProblem = input.selfSigned ? checkSelfSigned(leaf) : checkChain(leaf, splitPem(input.chainPem), input.trustedRootsPem);
  if (chainProblem !== undefined) {
    return failed('qa-certificate-untrusted', chainProblem);
  }

  const notBefore = new Date(leaf.validFrom);
  const notAfter = new Date(leaf.validTo);
  if (input.at < notBefore || input.at > notAfter) {
    return failed('qa-certificate-expired', `valid from ${notBefore.toISOString()} to ${notAfter.toISOString()}, checked at ${input.at.toISOString()}`);
  }

  const commonName = commonNameOf(leaf);
  if (commonName !== input.deviceName) {
    return failed('qa-certificate-name-mismatch', `CN is "${commonName ?? ''}", the device name is "${input.deviceName}"`);
  }

  const usageProblem = checkClientUsage(input.certificatePem);
  if (usageProblem !== undefined) {
    return failed('qa-certificate-usage', usageProblem);
  }
  return { check: 'certificate', verdict: 'passed', reasonCode: null, detail: `CN ${commonName}, valid until ${notAfter.toISOString()}` };
}

/** Verifies a challenge signature with the certificate's public key: ECDSA (DER) or RSA PKCS#1 v1.5, both over SHA-256. */
export function signatureMatches(certificatePem: string, challenge: Buffer, signature: Buffer): boolean {
  try {
    const publicKey = new X509Certificate(certificatePem).publicKey;
    return verifySignature('sha256', challenge, publicKey, signature);
  } catch {
    return false;
  }
}

/** Walks from the leaf through the given intermediates to one of the trusted roots. */
function checkChain(leaf: X509Certificate, intermediatesPem: string[], trustedRootsPem: string[]): string | undefined {
  if (trustedRootsPem.length === 0) {
    return 'no trusted root is configured; give the root CA certificate';
  }
  const roots = trustedRootsPem.flatMap(splitPem).map((pem) => new X509Certificate(pem));
  const intermediates = intermediatesPem.map((pem) => new X509Certificate(pem));

  let current = leaf;
  for (let depth = 0; depth < MAX_CHAIN_LENGTH; depth += 1) {
    const root = roots.find((candidate) => current.checkIssued(candidate) && current.verify(candidate.publicKey));
    if (root !== undefined) {
      return undefined;
    }
    const next = intermediates.find((candidate) => candidate !== current && current.checkIssued(candidate) && current.verify(candidate.publicKey));
    if (next === undefined) {
      return `no trusted root signed "${current.issuer.replace(/\n/g, ', ')}"`;
    }
    current = next;
  }
  return 'the certificate chain is longer than 8 certificates';
}

/** Checks a self-signed device certificate by its names and signature, because it is no CA and lacks keyCertSign. */
function checkSelfSigned(leaf: X509Certificate): string | undefined {
  if (leaf.subject !== leaf.issuer) {
    return 'the certificate on record is not self-signed';
  }
  return leaf.verify(leaf.publicKey) ? undefined : 'the self-signed certificate does not verify with its own key';
}

function checkClientUsage(certificatePem: string): string | undefined {
  const certificate = new x509.X509Certificate(certificatePem);
  const keyUsage = certificate.getExtension(x509.KeyUsagesExtension);
  if (keyUsage !== null && (keyUsage.usages & DIGITAL_SIGNATURE) === 0) {
    return 'key usage lacks digitalSignature';
  }
  const extended = certificate.getExtension(x509.ExtendedKeyUsageExtension);
  if (extended !== null && !extended.usages.map(String).includes(CLIENT_AUTH_OID)) {
    return 'extended key usage lacks clientAuth';
  }
  return undefined;
}

function commonNameOf(certificate: X509Certificate): string | undefined {
  const line = certificate.subject.split('\n').find((part) => part.startsWith('CN='));
  return line?.slice('CN='.length);
}

export function splitPem(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

function failed(reasonCode: ReasonCode, detail: string): QaCheckResult {
  return { check: 'certificate', verdict: 'failed', reasonCode, detail };
}
