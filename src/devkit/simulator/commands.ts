// Command handlers of the simulated device, independent of the transport and of the faults.
// Each handler is idempotent, as docs/device-protocol.md requires of firmware.
import { DEVICE_FIELDS } from '../../shared/domain';
import { encodeList, type Frame } from '../../main/device/frame';
import { CAPABILITY_CONNECT, CAPABILITY_SIGN, commitDigest, isDeviceField, KEY_ALGORITHMS, sha256Hex } from '../../main/device/protocol';
import { getLogger } from '../../main/log';
import { certificateMatchesKey, generateKeyWithCsr } from './keys';
import { QaCommands, type QaSettings } from './qa-commands';
import { BASE64_PATTERN, fail, ok, parseCount, replyChunkBytes, type Reply } from './reply';
import type { DeviceState, PendingKey } from './state';

export type { Reply } from './reply';

const log = getLogger('devkit');

/** Maximum value length, in bytes, that the simulated flash stores for one field. */
export const MAX_FIELD_BYTES = 16_384;
const BUSY_RETRY_MS = '200';

interface StagedField {
  data: Buffer;
  have: number;
}

type KeyJob = Pick<PendingKey, 'algorithm' | 'commonName' | 'generation'> & { failed: boolean };

type CommandSettings = QaSettings & { protocolVersion: string };

export class DeviceCommands {
  /** Staging area in RAM: lost on restart, as on a device. */
  private readonly staging = new Map<string, StagedField>();
  private keyJob: KeyJob | undefined;
  private readonly qa: QaCommands;

  constructor(
    readonly state: DeviceState,
    private readonly settings: CommandSettings,
    private readonly persist: (state: DeviceState) => Promise<void>,
  ) {
    this.qa = new QaCommands(state, settings);
  }

  async handle(frame: Frame): Promise<Reply> {
    switch (frame.verb) {
      case 'HELLO':
        return this.hello();
      case 'WRITE':
        return this.write(frame.args);
      case 'COMMIT':
        return this.commit(frame.args);
      case 'VERIFY':
        return this.verify(frame.args);
      case 'GENKEY':
        return this.generateKey(frame.args);
      case 'CSR':
        return this.readCsr(frame.args);
      case 'ERASE':
        return this.erase();
      case 'SIGN':
        return this.qa.sign(frame.args);
      case 'CONNECT':
        return this.qa.connect(frame.args);
      default:
        return fail('unknown-command');
    }
  }

  private hello(): Reply {
    return ok({
      proto: this.settings.protocolVersion,
      model: this.state.model,
      fw: this.state.firmwareVersion,
      hwid: this.state.hardwareId,
      caps: encodeList(['write', 'verify', 'genkey', 'erase', CAPABILITY_SIGN, CAPABILITY_CONNECT]),
      max: String(this.settings.maxFrameSize),
    });
  }

  private write(args: Record<string, string>): Reply {
    const { f: field, d: data } = args;
    const offset = parseCount(args.off);
    const length = parseCount(args.len);
    if (field === undefined || data === undefined || offset === undefined || length === undefined || !BASE64_PATTERN.test(data)) {
      return fail('bad-request');
    }
    if (!isDeviceField(field)) {
      return fail('unknown-field');
    }
    if (length > MAX_FIELD_BYTES) {
      return fail('field-too-long');
    }

    // A new total length, or offset 0, starts the field over; later offsets must continue it.
    const chunk = Buffer.from(data, 'base64');
    let staged = this.staging.get(field);
    if (staged === undefined || staged.data.length !== length || offset === 0) {
      staged = { data: Buffer.alloc(length), have: 0 };
      this.staging.set(field, staged);
    }
    if (offset > staged.have || offset + chunk.length > length) {
      return fail('bad-offset');
    }

    chunk.copy(staged.data, offset);
    staged.have = Math.max(staged.have, offset + chunk.length);
    return ok({ f: field, have: String(staged.have) });
  }

  private async commit(args: Record<string, string>): Promise<Reply> {
    const names = (args.f ?? '').split(',');
    const digest = args.sha;
    if (digest === undefined || names.some((name) => !isDeviceField(name)) || new Set(names).size !== names.length) {
      return fail('bad-request');
    }

    const stagedValues = names.map((name) => this.staging.get(name));
    const complete = stagedValues.every((staged) => staged !== undefined && staged.have === staged.data.length);
    if (complete) {
      const values = stagedValues.map((staged) => staged?.data.toString('utf8') ?? '');
      const entries = names.map((name, i) => [name, sha256Hex(values[i] ?? '')] as const);
      if (commitDigest(entries) === digest) {
        return (await this.replaceStored(names, values)) ? ok() : fail('storage-failed');
      }
    }

    // A repeated COMMIT after the first one succeeded finds its fields already stored.
    if (this.storedSetDigest(names) === digest) {
      return ok();
    }
    return fail(complete ? 'digest-mismatch' : 'not-staged');
  }

  /** Replaces the stored set and writes it to flash; returns false, with nothing changed, if the write fails. */
  private async replaceStored(names: string[], values: string[]): Promise<boolean> {
    const stored: Record<string, string> = {};
    names.forEach((name, i) => (stored[name] = values[i] ?? ''));

    // A certificate for the key made by GENKEY installs that key as the device's private key.
    let deviceKeyInstalled = false;
    const certificate = stored.certificate;
    if (certificate !== undefined && stored.private_key === undefined) {
      const candidates = [this.state.pendingKey?.privateKeyPem, this.state.deviceKeyInstalled ? this.state.stored.private_key : undefined];
      const key = candidates.find((pem) => pem !== undefined && certificateMatchesKey(certificate, pem));
      if (key !== undefined) {
        stored.private_key = key;
        deviceKeyInstalled = true;
      }
    }

    const keyUsed = deviceKeyInstalled && this.state.pendingKey?.privateKeyPem === stored.private_key;
    const next: DeviceState = { ...this.state, stored, deviceKeyInstalled, pendingKey: keyUsed ? null : this.state.pendingKey };
    if (!(await this.tryPersist(next))) {
      return false;
    }

    Object.assign(this.state, next);
    this.staging.clear();
    this.qa.forgetConnect();
    log.info({ fields: names, deviceKeyInstalled }, 'simulator committed fields');
    return true;
  }

  private async tryPersist(next: DeviceState): Promise<boolean> {
    try {
      await this.persist(next);
      return true;
    } catch (error) {
      log.error({ err: error }, 'simulator failed to write its state file');
      return false;
    }
  }

  /** Computes the COMMIT digest of the stored fields, or returns undefined unless the stored set is exactly `names`. */
  private storedSetDigest(names: string[]): string | undefined {
    const storedNames = Object.keys(this.state.stored).filter(
      (name) => !(name === 'private_key' && this.state.deviceKeyInstalled && !names.includes(name)),
    );
    if (storedNames.length !== names.length || names.some((name) => this.state.stored[name] === undefined)) {
      return undefined;
    }
    return commitDigest(names.map((name) => [name, sha256Hex(this.state.stored[name] ?? '')] as const));
  }

  private verify(args: Record<string, string>): Reply {
    const field = args.f;
    if (field === undefined) {
      const names = DEVICE_FIELDS.filter((name) => this.state.stored[name] !== undefined);
      return ok({ fields: encodeList(names) });
    }
    if (!isDeviceField(field)) {
      return fail('unknown-field');
    }
    const value = this.state.stored[field];
    if (value === undefined) {
      return fail('not-stored');
    }
    return ok({ f: field, len: String(Buffer.byteLength(value, 'utf8')), sha: sha256Hex(value) });
  }

  private generateKey(args: Record<string, string>): Reply {
    const algorithm = KEY_ALGORITHMS.find((candidate) => candidate === args.alg);
    const commonName = args.cn;
    const generation = args.gen ?? '';
    if (algorithm === undefined) {
      return fail('bad-algorithm');
    }
    if (commonName === undefined || commonName.length === 0 || commonName.length > 64) {
      return fail('bad-request');
    }

    const requested = { algorithm, commonName, generation };
    const pending = this.state.pendingKey;
    if (pending !== null && sameKeyRequest(pending, requested)) {
      return ok({ len: String(Buffer.byteLength(pending.csrPem)), sha: sha256Hex(pending.csrPem) });
    }
    if (this.keyJob !== undefined && sameKeyRequest(this.keyJob, requested)) {
      return this.keyJob.failed ? fail('keygen-failed') : { verb: 'BUSY', args: { retry: BUSY_RETRY_MS } };
    }

    this.startKeyJob(requested);
    return { verb: 'BUSY', args: { retry: BUSY_RETRY_MS } };
  }

  private startKeyJob(requested: Omit<KeyJob, 'failed'>): void {
    const job: KeyJob = { ...requested, failed: false };
    this.keyJob = job;
    this.state.pendingKey = null;

    generateKeyWithCsr(requested.algorithm, requested.commonName)
      .then(async (generated) => {
        if (this.keyJob !== job) {
          return; // A newer GENKEY or an ERASE replaced this request.
        }
        this.state.pendingKey = { ...requested, ...generated };
        this.keyJob = undefined;
        await this.persist(this.state);
      })
      .catch((error: unknown) => {
        job.failed = true;
        log.error({ err: error }, 'simulator key generation failed');
      });
  }

  private readCsr(args: Record<string, string>): Reply {
    const offset = parseCount(args.off);
    const pending = this.state.pendingKey;
    if (offset === undefined) {
      return fail('bad-request');
    }
    if (pending === null) {
      return fail('no-key');
    }

    const csr = Buffer.from(pending.csrPem, 'utf8');
    if (offset >= csr.length) {
      return fail('bad-offset');
    }
    const chunk = csr.subarray(offset, offset + replyChunkBytes(this.settings.maxFrameSize, { off: String(csr.length) }));
    return ok({ off: String(offset), d: chunk.toString('base64') });
  }

  private async erase(): Promise<Reply> {
    const next: DeviceState = { ...this.state, stored: {}, deviceKeyInstalled: false, pendingKey: null };
    if (!(await this.tryPersist(next))) {
      return fail('storage-failed');
    }

    Object.assign(this.state, next);
    this.keyJob = undefined;
    this.staging.clear();
    this.qa.forgetConnect();
    log.info('simulator erased its fields');
    return ok();
  }
}

function sameKeyRequest(a: Omit<KeyJob, 'failed'>, b: Omit<KeyJob, 'failed'>): boolean {
  return a.algorithm === b.algorithm && a.commonName === b.commonName && a.generation === b.generation;
}
