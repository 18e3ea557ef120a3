// Creates a station's own issuing CA: a root CA and one intermediate per station. The root's
// private key is dropped once it has signed the intermediate, so a stolen station database can
// never mint a second intermediate under the same root.
import { randomBytes } from 'node:crypto';
import { x509 } from './x509-lib';
import { Issuer } from './issuer';
import { generateKeyPairFor, signingAlgorithmFor, toSigningKey, toVerifyingKey, type KeyAlgorithm } from './keys';
import { caExtensions, commonNameSubject, DEFAULT_BACKDATE_MINUTES, subjectKeyIdOf } from './profile';
import { newSerialNumber } from './serial';

const YEAR_MS = 365 * 24 * 60 * 60 * 1000;

/** Root CA life. It must outlive the intermediate, which must outlive a full device validity. */
export const ROOT_VALIDITY_YEARS = 30;
/** Intermediate CA life: device certificates of 10 years can be issued for its first 10 years. */
export const INTERMEDIATE_VALIDITY_YEARS = 20;

export interface CreateIssuerOptions {
  /** EC P-256 by default. */
  keyAlgorithm?: KeyAlgorithm;
  /** Names the CAs: "<name> Root CA" and "<name> Issuing CA", e.g. the station id. */
  name: string;
  now?: Date;
}

export async function createIssuer(options: CreateIssuerOptions): Promise<Issuer> {
  const keyAlgorithm = options.keyAlgorithm ?? 'ec-p256';
  const now = options.now ?? new Date();
  const notBefore = new Date(Math.floor((now.getTime() - DEFAULT_BACKDATE_MINUTES * 60_000) / 1000) * 1000);

  const rootKeys = await generateKeyPairFor(keyAlgorithm);
  const rootPublic = await toVerifyingKey(rootKeys.publicKey);
  const rootSigning = await toSigningKey(rootKeys.privateKey);
  const rootName = commonNameSubject(`${options.name} Root CA`);
  const root = await x509.X509CertificateGenerator.create({
    serialNumber: newSerialNumber(() => false, randomBytes),
    subject: rootName,
    issuer: rootName,
    notBefore,
    notAfter: new Date(notBefore.getTime() + ROOT_VALIDITY_YEARS * YEAR_MS),
    publicKey: rootPublic,
    signingKey: rootSigning,
    signingAlgorithm: signingAlgorithmFor(rootKeys.privateKey),
    extensions: await caExtensions(rootPublic, undefined),
  });

  const intermediateKeys = await generateKeyPairFor(keyAlgorithm);
  const intermediatePublic = await toVerifyingKey(intermediateKeys.publicKey);
  const intermediate = await x509.X509CertificateGenerator.create({
    serialNumber: newSerialNumber(() => false, randomBytes),
    subject: commonNameSubject(`${options.name} Issuing CA`),
    issuer: root.subjectName,
    notBefore,
    notAfter: new Date(notBefore.getTime() + INTERMEDIATE_VALIDITY_YEARS * YEAR_MS),
    publicKey: intermediatePublic,
    signingKey: rootSigning,
    signingAlgorithm: signingAlgorithmFor(rootKeys.privateKey),
    extensions: await caExtensions(intermediatePublic, await subjectKeyIdOf(root), 0),
  });

  return Issuer.fromVerifiedParts([intermediate, root], intermediateKeys.privateKey);
}
