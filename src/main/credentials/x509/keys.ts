// Key pairs for device and CA certificates. Node's crypto makes and parses the keys; @peculiar/x509
// needs WebCrypto CryptoKeys, so this file converts between the two.
import { createPublicKey, generateKeyPair, webcrypto, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { StationError } from '../../../shared/reasons';
import type { KeyAlgorithm } from '../../device/link';

export type { KeyAlgorithm };

const generateKeyPairAsync = promisify(generateKeyPair);

/** A WebCrypto algorithm with its hash: what @peculiar/x509 signs and imports keys with. */
export type SigningAlgorithm = EcdsaParams & EcKeyImportParams | RsaHashedImportParams;

const EC_CURVES: Record<string, { webCryptoName: string; hash: string }> = {
  prime256v1: { webCryptoName: 'P-256', hash: 'SHA-256' },
  secp384r1: { webCryptoName: 'P-384', hash: 'SHA-384' },
  secp521r1: { webCryptoName: 'P-521', hash: 'SHA-512' },
};

const MIN_RSA_BITS = 2048;

/**
 * Generates a key pair on libuv's thread pool, so the event loop keeps serving the UI and the
 * serial ports while RSA prime search runs.
 */
export async function generateKeyPairFor(algorithm: KeyAlgorithm): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  return algorithm === 'ec-p256'
    ? generateKeyPairAsync('ec', { namedCurve: 'P-256' })
    : generateKeyPairAsync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
}

/**
 * Returns the signature algorithm for a key: ECDSA with the hash that matches the curve, or
 * RSASSA-PKCS1-v1_5 with SHA-256. Keys of another type, or RSA below 2048 bits, raise
 * issuer-key-unsupported.
 */
export function signingAlgorithmFor(key: KeyObject): SigningAlgorithm {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'ec') {
    const curve = EC_CURVES[details.namedCurve ?? ''];
    if (curve === undefined) {
      throw new StationError('issuer-key-unsupported', `EC curve ${details.namedCurve ?? 'unknown'} is not supported`);
    }
    return { name: 'ECDSA', namedCurve: curve.webCryptoName, hash: curve.hash };
  }
  if (key.asymmetricKeyType === 'rsa') {
    const bits = details.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) {
      throw new StationError('issuer-key-unsupported', `RSA keys need at least ${MIN_RSA_BITS} bits, this one has ${bits}`);
    }
    return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  }
  throw new StationError('issuer-key-unsupported', `key type ${key.asymmetricKeyType ?? 'unknown'} is not supported`);
}

/** Imports a Node private key into WebCrypto as a non-extractable signing key. */
export async function toSigningKey(privateKey: KeyObject): Promise<CryptoKey> {
  const algorithm = signingAlgorithmFor(privateKey);
  const der = privateKey.export({ type: 'pkcs8', format: 'der' });
  try {
    return await webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign']);
  } finally {
    der.fill(0);
  }
}

/** Imports a Node public key into WebCrypto, for the subject key of a certificate. */
export async function toVerifyingKey(publicKey: KeyObject): Promise<CryptoKey> {
  const algorithm = signingAlgorithmFor(publicKey);
  return webcrypto.subtle.importKey('spki', publicKey.export({ type: 'spki', format: 'der' }), algorithm, true, ['verify']);
}

/** Returns the DER SubjectPublicKeyInfo of a private or public key, to compare two keys. */
export function spkiDer(key: KeyObject): Buffer {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return publicKey.export({ type: 'spki', format: 'der' });
}

/** Exports a private key as unencrypted PKCS#8 PEM. The caller keeps it in memory only. */
export function toPkcs8Pem(privateKey: KeyObject): string {
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}
