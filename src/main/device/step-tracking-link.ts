// A DeviceLink wrapper that reports which protocol step a job is in, so the runner can show
// each port's step while the job runs. The step names follow the provisioning journal.
import type { DeviceFields, DeviceHello } from '../../shared/domain';
import type { DeviceLink, KeyAlgorithm, SignatureAlgorithm } from './link';

export type LinkStep = 'hello' | 'check-device' | 'write' | 'verify' | 'generate-key' | 'erase' | 'sign' | 'connect-test';

export function trackSteps(link: DeviceLink, onStep: (step: LinkStep) => void, onProgress?: (fraction: number) => void): DeviceLink {
  // The first VERIFY of a job reads what the device holds, and a later one checks a write.
  let written = false;

  return {
    path: link.path,
    hello: (): Promise<DeviceHello> => {
      onStep('hello');
      return link.hello();
    },
    writeFields: (fields: DeviceFields, onFieldProgress?: (fraction: number) => void): Promise<void> => {
      onStep('write');
      written = true;
      return link.writeFields(fields, (fraction) => {
        onProgress?.(fraction);
        onFieldProgress?.(fraction);
      });
    },
    verify: (): Promise<DeviceFields> => {
      onStep(written ? 'verify' : 'check-device');
      return link.verify();
    },
    generateKey: (request: { algorithm: KeyAlgorithm; commonName: string }): Promise<{ csrPem: string }> => {
      onStep('generate-key');
      return link.generateKey(request);
    },
    erase: (): Promise<void> => {
      onStep('erase');
      return link.erase();
    },
    signChallenge: (challenge: Buffer): Promise<{ signature: Buffer; algorithm: SignatureAlgorithm }> => {
      onStep('sign');
      return link.signChallenge(challenge);
    },
    connectTest: (nonce: string): Promise<{ transport: string }> => {
      onStep('connect-test');
      return link.connectTest(nonce);
    },
    close: () => link.close(),
  };
}
