// A throwaway TLS identity for the stand-in's MQTT over TLS listener: a CA made at start-up and
// a server certificate it signs for 127.0.0.1, ::1 and localhost. Nothing is written to disk;
// a device that should verify the server trusts the CA certificate (StandIn.mqttTlsCaPem).
import { randomBytes } from 'node:crypto';
import { generateKeyPairFor, signingAlgorithmFor, toPkcs8Pem, toSigningKey, toVerifyingKey } from '../../main/credentials/x509/keys';
import { caExtensions, commonNameSubject, subjectKeyIdOf } from '../../main/credentials/x509/profile';
import { newSerialNumber } from '../../main/credentials/x509/serial';
import { x509 } from '../../main/credentials/x509/x509-lib';

export interface ServerTlsIdentity {
  caCertificatePem: string;
  certificatePem: string;
  privateKeyPem: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Long enough for any test or demo run; the CA dies with the process anyway. */
const VALIDITY_DAYS = 30;

export async function createServerTlsIdentity(now = new Date()): Promise<ServerTlsIdentity> {
  // Backdated by a day so that a device with a slightly wrong clock still accepts it.
  const notBefore = new Date(now.getTime() - DAY_MS);
  const notAfter = new Date(now.getTime() + VALIDITY_DAYS * DAY_MS);

  const caKeys = await generateKeyPairFor('ec-p256');
  const caPublic = await toVerifyingKey(caKeys.publicKey);
  const caSigning = await toSigningKey(caKeys.privateKey);
  const caName = commonNameSubject('ThingsBoard stand-in throwaway CA');
  const ca = await x509.X509CertificateGenerator.create({
    serialNumber: newSerialNumber(() => false, randomBytes),
    subject: caName,
    issuer: caName,
    notBefore,
    notAfter,
    publicKey: caPublic,
    signingKey: caSigning,
    signingAlgorithm: signingAlgorithmFor(caKeys.privateKey),
    extensions: await caExtensions(caPublic, undefined, 0),
  });

  const serverKeys = await generateKeyPairFor('ec-p256');
  const serverPublic = await toVerifyingKey(serverKeys.publicKey);
  const server = await x509.X509CertificateGenerator.create({
    serialNumber: newSerialNumber(() => false, randomBytes),
    subject: commonNameSubject('localhost'),
    issuer: ca.subjectName,
    notBefore,
    notAfter,
    publicKey: serverPublic,
    signingKey: caSigning,
    signingAlgorithm: signingAlgorithmFor(caKeys.privateKey),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
        { type: 'ip', value: '::1' },
      ]),
      await x509.SubjectKeyIdentifierExtension.create(serverPublic),
      new x509.AuthorityKeyIdentifierExtension(await subjectKeyIdOf(ca)),
    ],
  });

  return {
    caCertificatePem: ca.toString('pem') + '\n',
    certificatePem: server.toString('pem') + '\n',
    privateKeyPem: toPkcs8Pem(serverKeys.privateKey),
  };
}
