// Reads CA material as operators bring it: certificates in PEM or DER, private keys as PKCS#8
// (encrypted or not), PKCS#1 (RSA), SEC1 (EC), and PKCS#12 bundles. Nothing here judges whether
// the material can issue certificates; import-issuer.ts does that.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { StationError } from '../../../shared/reasons';
import { looksLikePem, parsePemBlocks } from './pem';
import { x509 } from './x509-lib';

export interface CaMaterial {
  certificates: x509.X509Certificate[];
  privateKey: KeyObject;
}

// PKCS#12 bag types (RFC 7292, appendix D).
const KEY_BAG = '1.2.840.113549.1.12.10.1.1';
const SHROUDED_KEY_BAG = '1.2.840.113549.1.12.10.1.2';
const CERTIFICATE_BAG = '1.2.840.113549.1.12.10.1.3';

const PRIVATE_KEY_BLOCK = /-----BEGIN ((?:ENCRYPTED |RSA |EC )?PRIVATE KEY)-----[\s\S]*?-----END \1-----/;

/** Parses one DER certificate, or every CERTIFICATE block of a PEM text. */
export function readCertificates(data: Buffer): x509.X509Certificate[] {
  try {
    if (!looksLikePem(data)) {
      return [new x509.X509Certificate(new Uint8Array(data))];
    }
    const blocks = parsePemBlocks(data.toString('latin1')).filter((block) => block.label === 'CERTIFICATE');
    if (blocks.length === 0) {
      throw new Error('no CERTIFICATE block');
    }
    return blocks.map((block) => new x509.X509Certificate(new Uint8Array(block.der)));
  } catch (error) {
    throw new StationError('issuer-unreadable', 'the CA certificate is neither a PEM CERTIFICATE nor DER X.509', { cause: error });
  }
}

/**
 * Parses a private key in PEM or DER: PKCS#8, encrypted PKCS#8, PKCS#1, SEC1, or OpenSSL's legacy
 * encrypted PEM. Raises issuer-passphrase-wrong for an encrypted key when the passphrase is
 * missing or does not decrypt it, and issuer-unreadable for anything else.
 */
export function readPrivateKey(data: Buffer, passphrase: string | undefined): KeyObject {
  return looksLikePem(data) ? readPemKey(data.toString('latin1'), passphrase) : readDerKey(data, passphrase);
}

/**
 * Unwraps a PKCS#12 bundle with node-forge, the one job forge does here: Node's crypto has no
 * PKCS#12 reader. forge cannot parse EC certificates or keys itself, so those bags come back as
 * ASN.1, which Node and @peculiar/x509 then read.
 */
export function readPkcs12(bundle: Buffer, passphrase: string | undefined): CaMaterial {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(bundle.toString('binary')));
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, passphrase ?? '');
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    if (/password|decrypt/i.test(message)) {
      throw new StationError('issuer-passphrase-wrong', 'the PKCS#12 bundle passphrase is missing or wrong', { cause: error });
    }
    throw new StationError('issuer-unreadable', 'the PKCS#12 bundle cannot be read', { cause: error });
  }

  const keyBags = [
    ...(p12.getBags({ bagType: SHROUDED_KEY_BAG })[SHROUDED_KEY_BAG] ?? []),
    ...(p12.getBags({ bagType: KEY_BAG })[KEY_BAG] ?? []),
  ];
  const certificateBags = p12.getBags({ bagType: CERTIFICATE_BAG })[CERTIFICATE_BAG] ?? [];
  if (keyBags.length !== 1) {
    throw new StationError('issuer-unreadable', `the PKCS#12 bundle must contain exactly one private key, it contains ${keyBags.length}`);
  }

  return {
    privateKey: keyFromBag(keyBags[0] as forge.pkcs12.Bag),
    certificates: certificateBags.map(certificateFromBag),
  };
}

function readPemKey(text: string, passphrase: string | undefined): KeyObject {
  const block = PRIVATE_KEY_BLOCK.exec(text);
  if (block === null) {
    throw new StationError('issuer-unreadable', 'the CA key file contains no PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block');
  }
  const encrypted = block[1] === 'ENCRYPTED PRIVATE KEY' || block[0].includes('Proc-Type: 4,ENCRYPTED');

  try {
    // Node takes the legacy "Proc-Type" PEM headers as they are, so the whole block goes in.
    return createPrivateKey(encrypted ? { key: block[0], format: 'pem', passphrase: passphrase ?? '' } : { key: block[0], format: 'pem' });
  } catch (error) {
    throw keyError(encrypted, passphrase, error);
  }
}

function readDerKey(der: Buffer, passphrase: string | undefined): KeyObject {
  for (const type of ['pkcs8', 'sec1', 'pkcs1'] as const) {
    try {
      return createPrivateKey({ key: der, format: 'der', type });
    } catch (error) {
      // Node raises ERR_MISSING_PASSPHRASE for encrypted PKCS#8, which is tried below.
      if ((error as { code?: string }).code === 'ERR_MISSING_PASSPHRASE') {
        break;
      }
    }
  }

  // Only encrypted PKCS#8 remains.
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8', passphrase: passphrase ?? '' });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const encrypted = code === 'ERR_OSSL_BAD_DECRYPT' || code === 'ERR_MISSING_PASSPHRASE' || passphrase !== undefined;
    throw keyError(encrypted, passphrase, error);
  }
}

function keyError(encrypted: boolean, passphrase: string | undefined, cause: unknown): StationError {
  if (!encrypted) {
    return new StationError('issuer-unreadable', 'the CA key is not PKCS#8, PKCS#1 or SEC1 in PEM or DER', { cause });
  }
  const detail = passphrase === undefined ? 'the CA key is encrypted and no passphrase was given' : 'the passphrase does not decrypt the CA key';
  return new StationError('issuer-passphrase-wrong', detail, { cause });
}

function keyFromBag(bag: forge.pkcs12.Bag): KeyObject {
  // forge decodes RSA keys itself; for other key types it leaves the PrivateKeyInfo as ASN.1.
  const privateKeyInfo = bag.key
    ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key))
    : bag.asn1;
  if (privateKeyInfo === undefined) {
    throw new StationError('issuer-unreadable', 'the PKCS#12 key bag is empty');
  }
  const der = Buffer.from(forge.asn1.toDer(privateKeyInfo).getBytes(), 'binary');
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch (error) {
    throw new StationError('issuer-unreadable', 'the PKCS#12 bundle contains a private key that Node cannot read', { cause: error });
  } finally {
    der.fill(0);
  }
}

function certificateFromBag(bag: forge.pkcs12.Bag): x509.X509Certificate {
  const asn1 = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : bag.asn1;
  if (asn1 === undefined) {
    throw new StationError('issuer-unreadable', 'a PKCS#12 certificate bag is empty');
  }
  const der = Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
  try {
    return new x509.X509Certificate(new Uint8Array(der));
  } catch (error) {
    throw new StationError('issuer-unreadable', 'a certificate in the PKCS#12 bundle cannot be read', { cause: error });
  }
}
