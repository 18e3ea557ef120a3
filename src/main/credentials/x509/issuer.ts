// The station's issuing CA in memory: its certificate chain and its signing key. The private key
// sits in a private field and leaves only through exportPrivateKeyDer, for sealing at rest.
import type { KeyObject } from 'node:crypto';
import { x509 } from './x509-lib';
import { toPem } from './pem';
import { signingAlgorithmFor, spkiDer, toSigningKey, type SigningAlgorithm } from './keys';
import { subjectKeyIdOf } from './profile';

export class Issuer {
  /** The issuing CA first, then each certificate that signed the one before it, root last. */
  readonly chain: readonly x509.X509Certificate[];
  /** The chain as canonical PEM, issuing CA first: what a device and a ThingsBoard profile need. */
  readonly chainPem: string;
  readonly signingKey: CryptoKey;
  /** The issuing CA's subject key identifier, which becomes each device certificate's AKI. */
  readonly keyId: string;
  readonly #privateKey: KeyObject;

  private constructor(chain: readonly x509.X509Certificate[], privateKey: KeyObject, signingKey: CryptoKey, keyId: string) {
    this.chain = chain;
    this.chainPem = chain.map((certificate) => toPem('CERTIFICATE', certificate.rawData)).join('');
    this.signingKey = signingKey;
    this.keyId = keyId;
    this.#privateKey = privateKey;
  }

  /** Builds an issuer from a chain that is already ordered and a key already checked against chain[0]. */
  static async fromVerifiedParts(chain: readonly x509.X509Certificate[], privateKey: KeyObject): Promise<Issuer> {
    const issuing = chain[0];
    if (issuing === undefined) {
      throw new Error('an issuer needs at least its own certificate');
    }
    return new Issuer(chain, privateKey, await toSigningKey(privateKey), await subjectKeyIdOf(issuing));
  }

  get certificate(): x509.X509Certificate {
    return this.chain[0] as x509.X509Certificate;
  }

  get signingAlgorithm(): SigningAlgorithm {
    return signingAlgorithmFor(this.#privateKey);
  }

  get keyType(): 'ec' | 'rsa' {
    return this.#privateKey.asymmetricKeyType === 'rsa' ? 'rsa' : 'ec';
  }

  /** The earliest notAfter in the chain: no certificate signed here verifies beyond it. */
  get notAfter(): Date {
    return new Date(Math.min(...this.chain.map((certificate) => certificate.notAfter.getTime())));
  }

  /** Tells whether a public or private key is the issuing CA's key. */
  hasKey(key: KeyObject): boolean {
    return spkiDer(key).equals(spkiDer(this.#privateKey));
  }

  /** Exports the CA key as unencrypted PKCS#8 DER, for a KeyProtector to seal. Zero it after use. */
  exportPrivateKeyDer(): Buffer {
    return this.#privateKey.export({ type: 'pkcs8', format: 'der' });
  }

  /** A summary for logs and the command line, without the key. */
  toJSON(): { subject: string; issuer: string; serialHex: string; notBefore: string; notAfter: string; chainLength: number } {
    return {
      subject: this.certificate.subject,
      issuer: this.certificate.issuer,
      serialHex: this.certificate.serialNumber,
      notBefore: this.certificate.notBefore.toISOString(),
      notAfter: this.certificate.notAfter.toISOString(),
      chainLength: this.chain.length,
    };
  }
}
