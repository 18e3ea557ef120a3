// Keys of the simulated device: a real key pair from Node's crypto and a real PKCS#10 CSR from
// @peculiar/x509, as device firmware would make with its own crypto library, and SIGN's signature.
import 'reflect-metadata';
import { createPrivateKey, createPublicKey, generateKeyPair, sign, webcrypto, X509Certificate, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import * as x509 from '@peculiar/x509';
import type { KeyAlgorithm, SignatureAlgorithm } from '../../main/device/link';

const generateKeyPairAsync = promisify(generateKeyPair);
const signAsync = promisify(sign);

export interface GeneratedKey {
  privateKeyPem: string;
  csrPem: string;
}

/** Generates a key pair off the main thread and a CSR for it whose subject is `CN=<commonName>`. */
export async function generateKeyWithCsr(algorithm: KeyAlgorithm, commonName: string): Promise<GeneratedKey> {
  const { privateKey, publicKey } =
    algorithm === 'ec-p256'
      ? await generateKeyPairAsync('ec', { namedCurve: 'P-256' })
      : await generateKeyPairAsync('rsa', { modulusLength: 2048 });

  const signingAlgorithm =
    algorithm === 'ec-p256'
      ? { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
      : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const keys = {
    privateKey: await webcrypto.subtle.importKey('pkcs8', exportDer(privateKey, 'pkcs8'), signingAlgorithm, true, ['sign']),
    publicKey: await webcrypto.subtle.importKey('spki', exportDer(publicKey, 'spki'), signingAlgorithm, true, ['verify']),
  };

  const csr = await x509.Pkcs10CertificateRequestGenerator.create(
    { name: [{ CN: [commonName] }], keys, signingAlgorithm },
    webcrypto as Crypto,
  );
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    csrPem: csr.toString('pem') + '\n',
  };
}

/** Tells whether a PEM certificate carries the public key of a PEM private key. */
export function certificateMatchesKey(certificatePem: string, privateKeyPem: string): boolean {
  try {
    const certificateKey = new X509Certificate(certificatePem).publicKey;
    const ownKey = createPublicKey(privateKeyPem);
    return exportDer(certificateKey, 'spki').equals(exportDer(ownKey, 'spki'));
  } catch {
    // A value that is not a certificate simply does not match; the device stores it as given.
    return false;
  }
}

function exportDer(key: KeyObject, type: 'pkcs8' | 'spki'): Buffer {
  return key.export({ type, format: 'der' });
}

/**
 * Signs `data` over SHA-256 with a PEM private key: ECDSA with a DER signature, or RSA PKCS#1
 * v1.5. With `wrongKey` it signs with a fresh key of the same type and size instead, as a device
 * whose certificate and key do not belong together would. Throws for other key types.
 */
export async function signWithKey(privateKeyPem: string, data: Buffer, wrongKey = false): Promise<{ signature: Buffer; algorithm: SignatureAlgorithm }> {
  const storedKey = createPrivateKey(privateKeyPem);
  const details = storedKey.asymmetricKeyDetails ?? {};
  let key = storedKey;
  let algorithm: SignatureAlgorithm;

  if (storedKey.asymmetricKeyType === 'ec') {
    algorithm = 'ecdsa-sha256';
    if (wrongKey) {
      key = (await generateKeyPairAsync('ec', { namedCurve: details.namedCurve ?? 'P-256' })).privateKey;
    }
  } else if (storedKey.asymmetricKeyType === 'rsa') {
    algorithm = 'rsa-pkcs1-sha256';
    if (wrongKey) {
      key = (await generateKeyPairAsync('rsa', { modulusLength: details.modulusLength ?? 2048 })).privateKey;
    }
  } else {
    throw new Error(`cannot sign with a ${storedKey.asymmetricKeyType ?? 'unknown'} key`);
  }

  // By default Node signs ECDSA in DER form and RSA with PKCS#1 v1.5 padding.
  return { signature: await signAsync('sha256', data, key), algorithm };
}
