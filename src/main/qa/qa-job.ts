// The QA job for one unit on one port. It proves a finished unit is really provisioned and
// reports each check on its own. The checks cover the unit's identity, the credential the
// device stores, the server's device and credentials, and the certificate. They also cover
// possession of the private key (a signed challenge) and a live connection the server saw. Checks that need the server are deferred
// while it is unreachable, and completePendingQa finishes them later.
import { randomBytes, X509Certificate } from 'node:crypto';
import type { DeviceFields, DeviceHello } from '../../shared/domain';
import { QA_CHECKS, qaResultOf, type QaCheckName, type QaCheckResult, type QaResult } from '../../shared/qa';
import { isStationError, StationError, type ReasonCode } from '../../shared/reasons';
import { mismatchedFields } from '../credentials/generate';
import type { DeviceLink } from '../device/link';
import { getLogger } from '../log';
import { QaRepository } from '../store/qa-repository';
import type { Store } from '../store/store';
import type { ThingsboardClient } from '../thingsboard/client';
import { checkCertificate, signatureMatches } from './certificate-checks';
import { expectedFromServer, expectedFromStation, type ExpectedUnit, type IdentifyOptions } from './expected-unit';
import { checkServerDevice, confirmActivity, writeQaAttributes } from './server-checks';
import { trustedRootsFor } from './trusted-roots';

const log = getLogger('qa');

export interface QaRequest extends IdentifyOptions {
  store: Store;
  link: DeviceLink;
  /** The device's reply to a HELLO sent on `link` right before this job, used instead of sending HELLO again. */
  hello?: DeviceHello;
  /** The server; without it the server checks are deferred. */
  client?: ThingsboardClient;
  operator: string;
  /** Root CA certificates (PEM) QA trusts; the station's own issuing chain when absent. */
  trustedRootsPem?: string[];
  /** How long to wait for the server to record the device's connection. */
  activityTimeoutMs?: number;
}

export interface QaOutcome {
  runId: number;
  result: QaResult;
  name: string | null;
  hardwareId: string | null;
  checks: QaCheckResult[];
  /** Whether the result reached the device's server attributes. */
  serverWritten: boolean;
}

export async function runQaJob(request: QaRequest): Promise<QaOutcome> {
  const startedAt = Date.now();
  const checks = new Map<QaCheckName, QaCheckResult>();
  const set = (check: QaCheckName, verdict: QaCheckResult['verdict'], reasonCode: ReasonCode | null = null, detail: string | null = null): void => {
    checks.set(check, { check, verdict, reasonCode, detail });
  };

  let hello: DeviceHello | undefined;
  let expected: ExpectedUnit | undefined;
  try {
    hello = request.hello ?? (await request.link.hello());
    expected = await identify(request, hello);
    set('identity', 'passed', null, `hardware id ${hello.hardwareId}, device name "${expected.name}" (${expected.source === 'station' ? "this station's record" : "the server's record"})`);
  } catch (error) {
    const reason = toReason(error);
    const deferred = reason.code === 'server-unreachable' || reason.code === 'server-error';
    set('identity', deferred ? 'deferred' : 'failed', deferred ? 'qa-server-unreachable' : reason.code, reason.detail ?? null);
  }

  let serverDeviceId = expected?.serverDeviceId ?? null;
  if (expected !== undefined) {
    await runDeviceChecks(request, expected, set);
    serverDeviceId = await runServerChecks(request, expected, set, startedAt);
  }
  const ordered = orderChecks(checks);
  const result = qaResultOf(ordered);

  const serverWritten = await writeResult(request, serverDeviceId, result, ordered, startedAt);
  const repository = new QaRepository(request.store.database);
  const runId = repository.record({
    unitName: expected?.name ?? null,
    hardwareId: hello?.hardwareId ?? 'unknown',
    credentialType: expected?.credentialType ?? null,
    port: request.link.path,
    operator: request.operator,
    startedAt,
    endedAt: Date.now(),
    result,
    checks: ordered,
    serverDeviceId,
    serverWritten,
  });
  log.info({ runId, unit: expected?.name, hardwareId: hello?.hardwareId, result }, 'QA run finished');
  return { runId, result, name: expected?.name ?? null, hardwareId: hello?.hardwareId ?? null, checks: ordered, serverWritten };
}

type SetCheck = (check: QaCheckName, verdict: QaCheckResult['verdict'], reasonCode?: ReasonCode | null, detail?: string | null) => void;

async function identify(request: QaRequest, hello: DeviceHello): Promise<ExpectedUnit> {
  const local = expectedFromStation(request.store, hello.hardwareId, request);
  if (local !== undefined) {
    return local;
  }
  if (request.client === undefined) {
    throw new StationError('server-unreachable', 'this station has no record of the unit and no server to ask');
  }
  return expectedFromServer(request.client, hello, request);
}

/** Checks 2, 4 and 5: what the device stores, its certificate, and its key. */
async function runDeviceChecks(request: QaRequest, expected: ExpectedUnit, set: SetCheck): Promise<void> {
  try {
    const reported = await request.link.verify();
    const mismatched = storedMismatch(expected, reported);
    if (mismatched.length === 0) {
      const count = Object.keys(expected.digests).length;
      set('stored-credential', 'passed', null, `${count} ${count === 1 ? 'field matches' : 'fields match'}`);
    } else {
      set('stored-credential', 'failed', 'qa-credential-mismatch', `the device reports different contents for ${mismatched.join(', ')}`);
    }
  } catch (error) {
    const reason = toReason(error);
    set('stored-credential', 'failed', reason.code, reason.detail ?? null);
  }

  if (expected.x509 === undefined) {
    set('certificate', 'not-applicable', null, `${expected.credentialType} units have no certificate`);
    set('key-possession', 'not-applicable', null, `${expected.credentialType} units have no private key`);
    return;
  }

  const skewMs = Number(request.store.getMeta('sync.server_clock_skew_ms') ?? '0');
  set(
    'certificate',
    ...verdictOf(
      checkCertificate({
        certificatePem: expected.x509.certificatePem,
        chainPem: expected.x509.chainPem,
        trustedRootsPem: request.trustedRootsPem ?? trustedRootsFor(request.store),
        selfSigned: expected.x509.mode === 'self-signed' || isSelfIssued(expected.x509.certificatePem),
        deviceName: expected.name,
        at: new Date(Date.now() + skewMs),
      }),
    ),
  );

  try {
    const challenge = randomBytes(32);
    const { signature, algorithm } = await request.link.signChallenge(challenge);
    if (signatureMatches(expected.x509.certificatePem, challenge, signature)) {
      set('key-possession', 'passed', null, `${algorithm} signature over a fresh 32-byte challenge verifies with the certificate's key`);
    } else {
      set('key-possession', 'failed', 'qa-signature-invalid', `the ${algorithm} signature does not verify with the certificate's public key`);
    }
  } catch (error) {
    const reason = toReason(error);
    set('key-possession', 'failed', reason.code, reason.detail ?? null);
  }
}

/** Checks 3 and 6: the server's device and credentials, and a connection the server saw. */
async function runServerChecks(request: QaRequest, expected: ExpectedUnit, set: SetCheck, startedAt: number): Promise<string | null> {
  const { client } = request;
  if (client === undefined) {
    set('server', 'deferred', 'qa-server-unreachable', 'no server is set up');
    set('live-connection', 'deferred', 'qa-server-unreachable', 'no server is set up');
    return null;
  }

  const server = await checkServerDevice(client, expected);
  set('server', server.verdict, server.reasonCode, server.detail);
  if (server.deviceId === null) {
    const deferred = server.verdict === 'deferred';
    set('live-connection', deferred ? 'deferred' : 'failed', server.reasonCode, deferred ? 'runs once the server check can run' : 'the server device was not found');
    return null;
  }

  try {
    // The letters keep the nonce a string on the server, which stores an all-digit value as a number.
    const nonce = `qa-${randomBytes(8).toString('hex')}`;
    const { transport } = await request.link.connectTest(nonce);
    const activity = await confirmActivity(client, server.deviceId, startedAt, request.activityTimeoutMs ?? 10_000);
    set('live-connection', activity.verdict, activity.reasonCode, `${transport}: ${activity.detail}`);
  } catch (error) {
    const reason = toReason(error);
    set('live-connection', 'failed', reason.code, reason.detail ?? null);
  }
  return server.deviceId;
}

async function writeResult(request: QaRequest, deviceId: string | null, result: QaResult, checks: QaCheckResult[], startedAt: number): Promise<boolean> {
  if (request.client === undefined || deviceId === null) {
    return false;
  }
  return writeQaAttributes(request.client, deviceId, {
    result,
    time: new Date(startedAt).toISOString(),
    station: request.store.stationId(),
    operator: request.operator,
    failedChecks: checks.filter((check) => check.verdict === 'failed').map((check) => check.check),
  });
}

/** Lists the fields whose digest differs. An X.509 unit must also report a private key, whose value QA never reads. */
function storedMismatch(expected: ExpectedUnit, reported: DeviceFields): string[] {
  const mismatched: string[] = mismatchedFields(expected.digests, reported);
  if (expected.x509 !== undefined && reported.private_key === undefined) {
    mismatched.push('private_key (missing)');
  }
  return mismatched;
}

function isSelfIssued(certificatePem: string): boolean {
  try {
    const certificate = new X509Certificate(certificatePem);
    return certificate.subject === certificate.issuer;
  } catch {
    return false;
  }
}

function verdictOf(result: QaCheckResult): [QaCheckResult['verdict'], ReasonCode | null, string | null] {
  return [result.verdict, result.reasonCode, result.detail];
}

/** Puts the checks in their order; a check that never ran is not-run, or deferred with an identity that waits for the server. */
function orderChecks(checks: Map<QaCheckName, QaCheckResult>): QaCheckResult[] {
  const identityDeferred = checks.get('identity')?.verdict === 'deferred';
  return QA_CHECKS.map(
    (check): QaCheckResult =>
      checks.get(check) ??
      (identityDeferred
        ? { check, verdict: 'deferred', reasonCode: 'qa-server-unreachable', detail: 'waits until the unit can be identified' }
        : { check, verdict: 'not-run', reasonCode: null, detail: 'the unit could not be identified' }),
  );
}

export function toReason(error: unknown): { code: ReasonCode; detail?: string } {
  if (isStationError(error)) {
    return error.detail === undefined ? { code: error.code } : { code: error.code, detail: error.detail };
  }
  log.error({ err: error }, 'unexpected error in a QA run');
  return { code: 'internal', detail: error instanceof Error ? error.message : String(error) };
}
