// The provisioning job for one unit on one port. Each step is journalled before and after it
// runs. The credential is committed to the store, with its queued upload, before its first byte
// goes to the device, and the unit passes only when the device's digests match what was written.
import type { CredentialType, DeviceFields, DeviceHello, JobResult } from '../../shared/domain';
import { StationError, isStationError, type ReasonCode } from '../../shared/reasons';
import {
  deviceFieldsFor,
  digestFields,
  generateAccessToken,
  generateMqttBasic,
  mismatchedFields,
  type ServerAddress,
} from '../credentials/generate';
import type { DeviceLink } from '../device/link';
import { getLogger } from '../log';
import type { Store, StoredCredential, Unit } from '../store/store';
import { JobJournal } from './job-journal';
import { DEFAULT_NAMING_RULE, applyNamingRule, validateDeviceName } from './naming';
import { prepareX509Credential, type PreparedCredential, type X509Settings } from './x509-credential';

const log = getLogger('provision');

export type ProvisionCredentialType = CredentialType;

export interface ProvisionRequest {
  store: Store;
  link: DeviceLink;
  /**
   * The device's reply to a HELLO sent on `link` right before this job, such as the runner's
   * probe that found the unit. The hello step then uses it and sends no HELLO of its own.
   */
  hello?: DeviceHello;
  credentialType: ProvisionCredentialType;
  /** Issuing mode, key type and issuer; required when credentialType is x509. */
  x509?: X509Settings;
  /** A given device name; otherwise the naming rule makes one. */
  name?: string;
  namingRule?: string;
  /** The server address written to the device with its credential, when known. */
  server?: ServerAddress;
  /**
   * Returns the name of a unit the store does not know yet, such as a scanned serial number; the
   * job waits for it. Without it, `name` or the naming rule names the unit.
   */
  resolveName?: (hello: DeviceHello) => Promise<string>;
  /** Called once the unit is known, before its credential is prepared. */
  onIdentified?: (unit: { name: string; hardwareId: string }) => void;
}

export interface ProvisionOutcome {
  jobId: number;
  result: JobResult;
  credentialType: ProvisionCredentialType;
  name?: string;
  hardwareId?: string;
  unitId?: number;
  /** True when the device already held this station's credential and nothing was written. */
  resumed: boolean;
  reason?: { code: ReasonCode; detail?: string };
  /** The journal step a failed job stopped in. */
  failedStep?: string;
}

export async function runProvisionJob(request: ProvisionRequest): Promise<ProvisionOutcome> {
  const { store, link } = request;
  const journal = JobJournal.start(store, {
    job: { kind: 'provision', port: link.path, credentialType: request.credentialType },
    firstStep: 'hello',
    reasonCode: (error) => toReason(error).code,
  });
  const jobId = journal.jobId;
  const outcome: ProvisionOutcome = { jobId, result: 'failed', credentialType: request.credentialType, resumed: false };
  const step = <T>(name: string, action: () => Promise<T>): Promise<T> => journal.step(name, action);

  try {
    const probed = request.hello;
    const hello = await step('hello', () => (probed === undefined ? link.hello() : Promise.resolve(probed)));
    outcome.hardwareId = hello.hardwareId;

    const unit = await step('identify', () => identifyUnit(request, hello));
    outcome.name = unit.name;
    outcome.unitId = unit.id;
    journal.setUnit(unit.id);
    request.onIdentified?.({ name: unit.name, hardwareId: hello.hardwareId });

    const reported = await step('check-device', () => link.verify());
    const { credential, fields, alreadyHeld } = await prepareCredential(request, journal, unit, reported);

    if (alreadyHeld) {
      outcome.resumed = true;
    } else {
      await step('write', () => link.writeFields(fields));
      await step('verify', async () => assertDigestsMatch(credential, await link.verify()));
    }

    journal.finish('passed', undefined, () => store.releaseUploads(unit.id));
    outcome.result = 'passed';
    log.info({ jobId, unit: unit.name, hardwareId: hello.hardwareId, resumed: outcome.resumed }, 'unit passed');
  } catch (error) {
    const reason = toReason(error);
    journal.finish('failed', reason);
    outcome.reason = reason;
    outcome.failedStep = store.jobSteps(jobId).findLast((entry) => entry.state === 'failed')?.step;
    log.warn({ jobId, port: link.path, reason }, 'unit failed');
  }

  return outcome;
}

/**
 * Finds the unit by its hardware id, or registers it under a given, scanned or rule-made name.
 * The unit's row is committed crash-safe, without an fsync, like the journal's step records: the
 * credential's commit at synchronous=FULL syncs it before a credential goes to the device.
 */
async function identifyUnit(request: ProvisionRequest, hello: DeviceHello): Promise<Unit> {
  const { store } = request;
  const existing = store.findUnitByHardwareId(hello.hardwareId);

  if (existing !== undefined) {
    if (request.name !== undefined && validateDeviceName(request.name) !== existing.name) {
      throw new StationError('unit-has-other-name', `hardware id ${hello.hardwareId} is registered as "${existing.name}"`);
    }
    store.commitCrashSafe(() => store.updateUnitDevice(existing.id, hello.model, hello.firmwareVersion));
    return existing;
  }

  const given = request.name ?? (request.resolveName === undefined ? undefined : await request.resolveName(hello));
  const name = validateDeviceName(given ?? applyNamingRule(request.namingRule ?? DEFAULT_NAMING_RULE, hello));
  const holder = store.findUnitByName(name);
  if (holder !== undefined) {
    throw new StationError(
      'unit-name-taken',
      `the name "${name}" already belongs to hardware id ${holder.hardwareId}; give this unit another name`,
    );
  }
  return store.commitCrashSafe(() =>
    store.createUnit({
      hardwareId: hello.hardwareId,
      name,
      model: hello.model,
      firmwareVersion: hello.firmwareVersion,
    }),
  );
}

/** Runs the job's credential step. */
async function prepareCredential(request: ProvisionRequest, journal: JobJournal, unit: Unit, reported: DeviceFields): Promise<PreparedCredential> {
  if (request.credentialType !== 'x509') {
    // A token or MQTT secret is database work only, so it shares the commit that records the step.
    return journal.stepInCommit('credential', () => commitOrReuseSecret(request, unit, reported));
  }
  const x509 = request.x509;
  return journal.step('credential', () => {
    if (x509 === undefined) {
      throw new StationError('invalid-argument', 'an X.509 job needs its issuing mode and key type');
    }
    return prepareX509Credential(request.store, request.link, unit, x509, request.server, reported);
  });
}

/**
 * Reuses the unit's active token or MQTT credential when it has one, because the device may
 * already hold it and a second credential would reach the server as a duplicate. Otherwise
 * issues and commits one.
 */
function commitOrReuseSecret(request: ProvisionRequest, unit: Unit, reported: DeviceFields): PreparedCredential {
  const { store } = request;
  const active = store.activeCredential(unit.id);

  if (active !== undefined) {
    if (active.type !== request.credentialType) {
      throw new StationError(
        'credential-type-unsupported',
        `unit "${unit.name}" holds a credential this station gave with --credential ${active.type}`,
      );
    }
    const fields = deviceFieldsFor(active.secret, request.server);
    const digests = digestFields(fields);
    if (mismatchedFields(digests, active.digests).length > 0 || Object.keys(active.digests).length !== Object.keys(digests).length) {
      store.updateCredentialDigests(active.id, digests);
    }
    const alreadyHeld = mismatchedFields(digests, reported).length === 0;
    return { credential: { ...active, digests }, fields, alreadyHeld };
  }

  const secret = request.credentialType === 'token' ? generateAccessToken() : generateMqttBasic(unit.name);
  const fields = deviceFieldsFor(secret, request.server);
  return { credential: store.commitCredential(unit.id, secret, digestFields(fields)), fields, alreadyHeld: false };
}

function assertDigestsMatch(credential: StoredCredential, reported: DeviceFields): void {
  const mismatched = mismatchedFields(credential.digests, reported);
  if (mismatched.length > 0) {
    throw new StationError('verify-mismatch', `the device reports different contents for ${mismatched.join(', ')}`);
  }
  // A device that made its own key must report it as stored once its certificate is committed.
  if (credential.secret.type === 'x509' && reported.private_key === undefined) {
    throw new StationError('verify-mismatch', 'the device holds the certificate but reports no private key for it');
  }
}

function toReason(error: unknown): { code: ReasonCode; detail?: string } {
  if (isStationError(error)) {
    return error.detail === undefined ? { code: error.code } : { code: error.code, detail: error.detail };
  }
  log.error({ err: error }, 'unexpected error in a provisioning job');
  return { code: 'internal', detail: error instanceof Error ? error.message : String(error) };
}
