// Imports an existing CA as the station's issuer after checking that the device certificates it
// signs will verify. The CA must be a CA with keyCertSign, valid now and for one full device
// certificate life, with a matching key and a chain in which each certificate signed the one below.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { StationError } from '../../../shared/reasons';
import { readCertificates, readPkcs12, readPrivateKey, type CaMaterial } from './ca-material';
import { Issuer } from './issuer';
import { signingAlgorithmFor, spkiDer } from './keys';
import { DEFAULT_DEVICE_VALIDITY_DAYS } from './profile';
import { x509 } from './x509-lib';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface ImportIssuerInput {
  /** The issuing CA certificate in PEM or DER; PEM may add the CAs above it, in any order. */
  certificate?: Buffer;
  /** The CA private key in PEM or DER: PKCS#8 (encrypted or not), PKCS#1 or SEC1. */
  key?: Buffer;
  keyPassphrase?: string;
  /** A PKCS#12 bundle with the key and the certificate, instead of (or besides) the two above. */
  pkcs12?: Buffer;
  pkcs12Passphrase?: string;
  /**
   * The device certificate validity the station is configured for. The CA chain must stay valid
   * at least this long from now, so that a certificate issued today is not cut short.
   */
  deviceValidityDays?: number;
  now?: Date;
}

export async function importIssuer(input: ImportIssuerInput): Promise<Issuer> {
  const material = readMaterial(input);
  const signing = material.certificates.find((certificate) => sameKey(certificate, material.privateKey));
  if (signing === undefined) {
    throw new StationError('issuer-key-mismatch', 'no given certificate carries the public key of the given private key');
  }
  signingAlgorithmFor(material.privateKey);

  const chain = await orderChain(signing, material.certificates);
  checkCaCertificate(signing);
  checkChainConstraints(chain);
  checkValidity(chain, input.now ?? new Date(), input.deviceValidityDays ?? DEFAULT_DEVICE_VALIDITY_DAYS);
  return Issuer.fromVerifiedParts(chain, material.privateKey);
}

/**
 * Rebuilds the issuer from what the IssuerStore kept: the chain PEM and the opened PKCS#8 key.
 * The key is checked against the certificate again, because a mixed-up row must not sign.
 */
export async function issuerFromStored(chainPem: string, privateKeyDer: Buffer): Promise<Issuer> {
  const chain = readCertificates(Buffer.from(chainPem, 'latin1'));
  const privateKey = createPrivateKey({ key: privateKeyDer, format: 'der', type: 'pkcs8' });
  const signing = chain[0];
  if (signing === undefined || !sameKey(signing, privateKey)) {
    throw new StationError('issuer-key-mismatch', 'the stored CA key does not belong to the stored CA certificate');
  }
  return Issuer.fromVerifiedParts(chain, privateKey);
}

function readMaterial(input: ImportIssuerInput): CaMaterial {
  const certificates: x509.X509Certificate[] = [];
  let privateKey: KeyObject | undefined;

  if (input.pkcs12 !== undefined) {
    const bundle = readPkcs12(input.pkcs12, input.pkcs12Passphrase);
    certificates.push(...bundle.certificates);
    privateKey = bundle.privateKey;
  }
  if (input.certificate !== undefined) {
    certificates.push(...readCertificates(input.certificate));
  }
  if (input.key !== undefined) {
    if (privateKey !== undefined) {
      throw new StationError('invalid-argument', 'give the CA key either in the PKCS#12 bundle or as a key file, not both');
    }
    privateKey = readPrivateKey(input.key, input.keyPassphrase);
  }

  if (privateKey === undefined || certificates.length === 0) {
    throw new StationError('invalid-argument', 'give a CA certificate and its private key, or a PKCS#12 bundle holding both');
  }
  return { certificates: uniqueCertificates(certificates), privateKey };
}

/**
 * Orders the chain from the issuing CA upward: each next certificate is the one whose subject is
 * the current issuer and whose key verifies the current signature. A certificate that does not
 * fit into this one path is rejected rather than silently dropped.
 */
async function orderChain(signing: x509.X509Certificate, certificates: x509.X509Certificate[]): Promise<x509.X509Certificate[]> {
  const chain = [signing];
  const remaining = certificates.filter((certificate) => certificate !== signing);

  let current = signing;
  while (remaining.length > 0 && !(await isSelfSigned(current))) {
    const parentIndex = await findParent(current, remaining);
    if (parentIndex === -1) {
      break;
    }
    current = remaining.splice(parentIndex, 1)[0] as x509.X509Certificate;
    chain.push(current);
  }

  if (remaining.length > 0) {
    const names = remaining.map((certificate) => certificate.subject).join('; ');
    throw new StationError('issuer-chain-invalid', `certificates not in the issuing CA's chain: ${names}`);
  }
  return chain;
}

async function findParent(child: x509.X509Certificate, candidates: x509.X509Certificate[]): Promise<number> {
  for (const [index, candidate] of candidates.entries()) {
    if (candidate.subject === child.issuer && (await child.verify({ publicKey: candidate.publicKey, signatureOnly: true }))) {
      return index;
    }
  }
  return -1;
}

async function isSelfSigned(certificate: x509.X509Certificate): Promise<boolean> {
  return certificate.subject === certificate.issuer && certificate.verify({ signatureOnly: true });
}

function checkCaCertificate(certificate: x509.X509Certificate): void {
  const constraints = certificate.getExtension(x509.BasicConstraintsExtension);
  if (constraints === null || !constraints.ca) {
    throw new StationError('issuer-not-ca', `${certificate.subject} has no basic constraints CA:TRUE`);
  }

  // RFC 5280 (4.2.1.3) requires key usage in CA certificates, so a missing one is rejected too.
  const keyUsage = certificate.getExtension(x509.KeyUsagesExtension);
  if (keyUsage === null || (keyUsage.usages & x509.KeyUsageFlags.keyCertSign) === 0) {
    throw new StationError('issuer-no-key-cert-sign', `${certificate.subject} has no key usage keyCertSign`);
  }
}

/** Each CA above the issuing one must be a CA whose path length allows the CAs below it. */
function checkChainConstraints(chain: readonly x509.X509Certificate[]): void {
  for (const [index, certificate] of chain.entries()) {
    if (index === 0) {
      continue;
    }
    const constraints = certificate.getExtension(x509.BasicConstraintsExtension);
    if (constraints === null || !constraints.ca) {
      throw new StationError('issuer-chain-invalid', `${certificate.subject} signed the CA below it but is not a CA`);
    }
    if (constraints.pathLength !== undefined && constraints.pathLength < index) {
      throw new StationError('issuer-chain-invalid', `${certificate.subject} allows ${constraints.pathLength} CAs below it, the chain has ${index}`);
    }
  }
}

function checkValidity(chain: readonly x509.X509Certificate[], now: Date, deviceValidityDays: number): void {
  for (const certificate of chain) {
    if (certificate.notBefore > now) {
      throw new StationError('issuer-not-yet-valid', `${certificate.subject} is valid from ${certificate.notBefore.toISOString()}`);
    }
    if (certificate.notAfter <= now) {
      throw new StationError('issuer-expired', `${certificate.subject} expired at ${certificate.notAfter.toISOString()}`);
    }
  }

  const neededUntil = new Date(now.getTime() + deviceValidityDays * DAY_MS);
  const firstExpiring = chain.reduce((earliest, certificate) => (certificate.notAfter < earliest.notAfter ? certificate : earliest));
  if (firstExpiring.notAfter < neededUntil) {
    throw new StationError(
      'issuer-expires-too-soon',
      `${firstExpiring.subject} expires at ${firstExpiring.notAfter.toISOString()}, before a ${deviceValidityDays}-day device certificate issued today would (${neededUntil.toISOString()})`,
    );
  }
}

function sameKey(certificate: x509.X509Certificate, privateKey: KeyObject): boolean {
  return Buffer.from(certificate.publicKey.rawData).equals(spkiDer(privateKey));
}

function uniqueCertificates(certificates: x509.X509Certificate[]): x509.X509Certificate[] {
  const seen = new Set<string>();
  return certificates.filter((certificate) => {
    const key = Buffer.from(certificate.rawData).toString('base64');
    if (seen.has(key)) {
      return false;
    }
    seen.add(key);
    return true;
  });
}
