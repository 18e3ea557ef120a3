// SIGN and CONNECT for the simulated device: the two commands a QA station uses to prove that a
// unit has the private key of its certificate and that its credential gets it onto the server.
import {
  CONNECT_NONCE_PATTERN,
  DEVICE_CONNECT_DEADLINE_MS,
  SIGN_CHALLENGE_BYTES,
  type SignatureAlgorithm,
} from '../../main/device/protocol';
import { getLogger } from '../../main/log';
import { connectAndPublish } from './connect';
import { signWithKey } from './keys';
import type { ResolvedSimulatorOptions } from './options';
import { BASE64_PATTERN, fail, fitDetail, ok, parseCount, replyChunkBytes, type Reply } from './reply';
import type { DeviceState } from './state';

const log = getLogger('devkit');

/** The simulator's own limit for CONNECT, a margin inside the protocol's deadline. */
const CONNECT_ATTEMPT_MS = DEVICE_CONNECT_DEADLINE_MS - 1000;

export type QaSettings = Pick<ResolvedSimulatorOptions, 'maxFrameSize' | 'faults' | 'insecureTls'> & { serverCaPem?: string | undefined };

/** The last signature, kept in RAM so a repeated SIGN returns the same bytes. */
interface LastSignature {
  challenge: string;
  privateKeyPem: string;
  signature: Buffer;
  algorithm: SignatureAlgorithm;
}

export class QaCommands {
  private lastSignature: LastSignature | undefined;
  private lastConnect: { nonce: string; reply: Reply } | undefined;

  constructor(
    private readonly state: DeviceState,
    private readonly settings: QaSettings,
  ) {}

  /** Forgets the last CONNECT outcome, because the stored credential it used has changed. */
  forgetConnect(): void {
    this.lastConnect = undefined;
  }

  async sign(args: Record<string, string>): Promise<Reply> {
    const encodedChallenge = args.c;
    const offset = parseCount(args.off);
    if (encodedChallenge === undefined || !BASE64_PATTERN.test(encodedChallenge) || offset === undefined) {
      return fail('bad-request');
    }
    const challenge = Buffer.from(encodedChallenge, 'base64');
    if (challenge.length !== SIGN_CHALLENGE_BYTES) {
      return fail('bad-request');
    }
    if (this.settings.faults.noSign === true) {
      log.info('simulator fails SIGN as configured');
      return fail('sign-failed', 'signing failed (simulated fault)');
    }
    const privateKeyPem = this.state.stored.private_key;
    if (privateKeyPem === undefined) {
      return fail('no-key');
    }

    // The same challenge and key return the kept signature: an ECDSA signature differs each time.
    let signed = this.lastSignature;
    if (signed?.challenge !== encodedChallenge || signed.privateKeyPem !== privateKeyPem) {
      try {
        signed = { challenge: encodedChallenge, privateKeyPem, ...(await signWithKey(privateKeyPem, challenge, this.settings.faults.wrongKey === true)) };
      } catch (error) {
        log.warn({ err: error }, 'simulator could not sign with its stored key');
        return fail('sign-failed', 'the stored private key cannot sign');
      }
      this.lastSignature = signed;
    }

    const { signature, algorithm } = signed;
    if (offset >= signature.length) {
      return fail('bad-offset');
    }
    const fixedArgs = { alg: algorithm, len: String(signature.length), off: String(signature.length) };
    const chunk = signature.subarray(offset, offset + replyChunkBytes(this.settings.maxFrameSize, fixedArgs));
    return ok({ alg: algorithm, len: String(signature.length), off: String(offset), d: chunk.toString('base64') });
  }

  async connect(args: Record<string, string>): Promise<Reply> {
    const nonce = args.n;
    if (nonce === undefined || !CONNECT_NONCE_PATTERN.test(nonce)) {
      return fail('bad-request');
    }
    // A repeated CONNECT (the station lost the reply) returns the first outcome, publishing once.
    if (this.lastConnect?.nonce === nonce) {
      return this.lastConnect.reply;
    }

    const reply = await this.runConnect(nonce);
    this.lastConnect = { nonce, reply };
    return reply;
  }

  private async runConnect(nonce: string): Promise<Reply> {
    if (this.settings.faults.noNetwork === true) {
      log.info('simulator fails CONNECT as configured: no network');
      return fail('network-failed', 'network unreachable (no link)');
    }

    const outcome = await connectAndPublish(this.state.stored, nonce, {
      insecureTls: this.settings.insecureTls,
      timeoutMs: CONNECT_ATTEMPT_MS,
      ...(this.settings.serverCaPem === undefined ? {} : { serverCaPem: this.settings.serverCaPem }),
    });
    if (outcome.ok) {
      log.info({ transport: outcome.transport, host: this.state.stored.server_host, port: this.state.stored.server_port }, 'simulator connected and published');
      return ok({ transport: outcome.transport });
    }
    log.info({ code: outcome.code, detail: outcome.detail }, 'simulator CONNECT failed');
    return fail(outcome.code, fitDetail(this.settings.maxFrameSize, outcome.code, outcome.detail));
  }
}
