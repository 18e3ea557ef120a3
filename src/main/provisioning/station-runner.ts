// The station runner: one provisioning job per port, every port independent of the others.
// A port that appears starts a job. After the job, the port waits for the next unit, so one
// unit is provisioned once. The next job starts when the port disappears and comes back (a USB
// device unplugged, the next one plugged in). It also starts when a HELLO probe finds another
// hardware id behind a port that stayed, such as an adapter cable that stays plugged while
// units are swapped, or a pty in tests.
//
// A job follows its device across a reset. When the port vanishes mid-job, the job's report is
// held for a reconnect window. A job on another path whose port has the same identity (given,
// USB serial number or location), or whose device reports the same hardware id, continues the
// unit: the runner reports one unit, marked resumed, on the new path.
import type { PortJob } from '../../shared/api';
import type { CredentialType, DeviceHello, JobResult } from '../../shared/domain';
import type { ReasonCode } from '../../shared/reasons';
import type { ServerAddress } from '../credentials/generate';
import type { DeviceLink } from '../device/link';
import { identifyPort } from '../device/port-identity';
import type { PortWatcher } from '../device/port-watcher';
import { getLogger } from '../log';
import type { Store } from '../store/store';
import { syncOutbox, type SyncSummary } from '../sync/sync';
import type { ThingsboardClient } from '../thingsboard/client';
import { PortSlot } from './port-slot';
import { runProvisionJob, type ProvisionOutcome } from './provision-job';
import type { X509Settings } from './x509-credential';
import type { QaCheckResult, QaResult } from '../../shared/qa';
import { runQaJob } from '../qa/qa-job';

const log = getLogger('provision');

/** Time between HELLO probes of a port whose unit is done. */
export const DEFAULT_PROBE_INTERVAL_MS = 1000;
/** How long a job whose port vanished waits for its device to return on any port. */
export const DEFAULT_RECONNECT_WINDOW_MS = 10_000;
/** How long stop() lets running jobs finish before it closes their ports. */
const STOP_GRACE_MS = 5000;

/** Opens a port's device link. A probe passes `probe: true` for a short deadline and no retries. */
export type OpenLink = (path: string, probe: boolean) => Promise<DeviceLink>;

export interface StationRunnerOptions {
  store: Store;
  watcher: PortWatcher;
  openLink: OpenLink;
  credentialType: CredentialType;
  /** Issuing mode, key type and issuer; required when credentialType is x509. */
  x509?: X509Settings;
  namingRule?: string;
  /**
   * Returns the name of a new unit, such as a scanned serial number; the job shows
   * waiting-for-scan until it resolves. Without it the naming rule names each unit.
   */
  resolveName?: (path: string, hello: DeviceHello, signal: AbortSignal) => Promise<string>;
  /** Server to sync with after each passed unit; without it uploads stay queued. */
  server?: { client: ThingsboardClient; deviceAddress: ServerAddress };
  /** The address written to devices by a station without a server connection. */
  deviceAddress?: ServerAddress;
  /**
   * Proves units instead of provisioning them: each port runs a QA job. The server client, when
   * given, serves the server checks; without it they are deferred.
   */
  qa?: { operator: string; client?: ThingsboardClient; trustedRootsPem?: string[]; namingRule?: string };
  /** Runs the sync after a passed unit instead of the runner's own, for a caller that owns one sync worker. */
  sync?: () => Promise<SyncSummary | undefined>;
  probeIntervalMs?: number;
  /** How long a job whose port vanished mid-job waits for its device; 0 reports it failed at once. */
  reconnectWindowMs?: number;
  /** Called once per unit, after its job and its sync. */
  onUnit: (report: UnitReport) => void;
  /** Called when a job's port vanished and its report waits for the device to return. */
  onWaiting?: (report: UnitReport, windowMs: number) => void;
  /** Called whenever a port's job changes (its step, progress or result), with the port's new PortJob. */
  onPortChange?: (job: PortJob) => void;
  /** Called when a port went away and has nothing pending, so its card can go. */
  onPortRemoved?: (path: string) => void;
}

export interface UnitReport {
  port: string;
  result: JobResult;
  name?: string;
  hardwareId?: string;
  jobId?: number;
  /** True when the device already held its credential, or the job continues one left on another port. */
  resumed: boolean;
  /** Port of the job that this one continues, after the device re-enumerated under a new path. */
  previousPort?: string;
  identity?: string;
  identityWarning?: string;
  reason?: { code: ReasonCode; detail?: string };
  /** The journal step a failed job stopped in. */
  failedStep?: string;
  /** A QA job's result and checklist; result is failed when any check failed. */
  qa?: { result: QaResult; checks: QaCheckResult[] };
  /** True when every upload of the unit is done on the server. */
  synced: boolean;
  syncStoppedBy?: SyncSummary['stoppedBy'];
  /** From opening the port to the end of the job, without the sync. */
  durationMs: number;
}

/** A report of a job whose port vanished, held while its device may return on another path. */
interface HeldJob {
  report: UnitReport;
  identityKey: string | undefined;
  timer: NodeJS.Timeout;
}

export class StationRunner {
  private readonly slots = new Map<string, PortSlot>();
  private readonly held = new Set<HeldJob>();
  private syncChain: Promise<unknown> = Promise.resolve();
  private stopping = false;

  constructor(private readonly options: StationRunnerOptions) {}

  start(): void {
    const { watcher } = this.options;
    watcher.on('appeared', (port) => this.slotFor(port.path).appeared(port, identifyPort(port, watcher.presentPorts())));
    watcher.on('disappeared', (path) => this.slots.get(path)?.disappeared());
    watcher.start();
    log.info('station runner started');
  }

  /** Stops watching, lets running jobs finish for a few seconds, then closes every port. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.options.watcher.stop();

    const slots = [...this.slots.values()];
    const settled = Promise.all(slots.map((slot) => slot.stop()));
    const graceOver = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), STOP_GRACE_MS).unref());
    if ((await Promise.race([settled, graceOver])) === 'timeout') {
      log.warn({ ports: slots.filter((slot) => slot.busy).map((slot) => slot.path) }, 'jobs still running at stop; closing their ports');
      await Promise.all(slots.map((slot) => slot.closeLink()));
      await settled;
    }
    for (const held of this.held) {
      this.releaseHeld(held);
    }
    await this.syncChain;
    log.info('station runner stopped');
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  /** Returns each port's job, for the StationApi's portJobs call; vanished ports drop out unless their job waits. */
  portJobs(): PortJob[] {
    return [...this.slots.values()].map((slot) => slot.status()).filter((job): job is PortJob => job !== undefined);
  }

  /** Tells the listeners that a port's job changed, or that the port is gone. */
  portChanged(path: string): void {
    const job = this.slots.get(path)?.status();
    if (job === undefined) {
      this.options.onPortRemoved?.(path);
    } else {
      this.options.onPortChange?.(job);
    }
  }

  private get deviceAddress(): ServerAddress | undefined {
    return this.options.server?.deviceAddress ?? this.options.deviceAddress;
  }

  get workflow(): 'provision' | 'qa' {
    return this.options.qa === undefined ? 'provision' : 'qa';
  }

  /**
   * Runs one job on an open link, syncs a passed unit, and returns its report. `hello` is the
   * device's reply to a HELLO sent on `link` right before, which the job then uses instead of
   * sending its own.
   */
  async provision(path: string, link: DeviceLink, startedAt: number, slot?: PortSlot, hello?: DeviceHello): Promise<UnitReport> {
    if (this.options.qa !== undefined) {
      return this.prove(path, link, startedAt, this.options.qa, hello);
    }
    const { store, resolveName } = this.options;
    let outcome: ProvisionOutcome;
    try {
      outcome = await runProvisionJob({
        store,
        link,
        credentialType: this.options.credentialType,
        ...(hello === undefined ? {} : { hello }),
        ...(this.options.x509 === undefined ? {} : { x509: this.options.x509 }),
        ...(this.options.namingRule === undefined ? {} : { namingRule: this.options.namingRule }),
        ...(this.deviceAddress === undefined ? {} : { server: this.deviceAddress }),
        ...(resolveName === undefined
          ? {}
          : {
              resolveName: async (hello: DeviceHello) => {
                slot?.noteHardwareId(hello.hardwareId);
                slot?.setWaitingForScan(true);
                try {
                  return await resolveName(path, hello, slot?.jobSignal ?? new AbortController().signal);
                } finally {
                  slot?.setWaitingForScan(false);
                }
              },
            }),
        onIdentified: (unit) => slot?.noteUnit(unit.name, unit.hardwareId),
      });
    } finally {
      await link.close();
    }
    const durationMs = Date.now() - startedAt;

    const report: UnitReport = { port: path, result: outcome.result, jobId: outcome.jobId, resumed: outcome.resumed, synced: false, durationMs };
    copyDefined(report, outcome);
    if (outcome.result === 'passed' && this.options.server !== undefined) {
      const summary = await this.sync(this.options.server.client);
      if (summary?.stoppedBy !== undefined) {
        report.syncStoppedBy = summary.stoppedBy;
      }
    }
    if (outcome.unitId !== undefined) {
      const uploads = store.outboxForUnit(outcome.unitId).filter((entry) => entry.state !== 'retired');
      report.synced = uploads.length > 0 && uploads.every((entry) => entry.state === 'done');
    }
    return report;
  }

  /** Runs one QA job on an open link and reports it; the QA run's result decides pass or fail. */
  private async prove(path: string, link: DeviceLink, startedAt: number, qa: NonNullable<StationRunnerOptions['qa']>, hello?: DeviceHello): Promise<UnitReport> {
    try {
      const outcome = await runQaJob({
        store: this.options.store,
        link,
        ...(hello === undefined ? {} : { hello }),
        operator: qa.operator,
        ...(qa.client === undefined ? {} : { client: qa.client }),
        ...(qa.trustedRootsPem === undefined ? {} : { trustedRootsPem: qa.trustedRootsPem }),
        ...(qa.namingRule === undefined ? {} : { namingRule: qa.namingRule }),
      });
      const report: UnitReport = {
        port: path,
        result: outcome.result === 'failed' ? 'failed' : 'passed',
        resumed: false,
        synced: outcome.serverWritten,
        durationMs: Date.now() - startedAt,
        qa: { result: outcome.result, checks: outcome.checks },
      };
      const firstFailed = outcome.checks.find((check) => check.verdict === 'failed');
      if (firstFailed?.reasonCode !== undefined && firstFailed.reasonCode !== null) {
        report.reason = { code: firstFailed.reasonCode, ...(firstFailed.detail === null ? {} : { detail: firstFailed.detail }) };
        report.failedStep = firstFailed.check;
      }
      if (outcome.name !== null) report.name = outcome.name;
      if (outcome.hardwareId !== null) report.hardwareId = outcome.hardwareId;
      return report;
    } finally {
      await link.close();
    }
  }

  /**
   * Reports a finished job, unless it is one half of a device's reset. A job that continues a
   * held one is reported once as resumed. A job that lost its port while its device is known is
   * held for the reconnect window, from the moment it ends, so a quick job on the device's new
   * path finds it. `confirmVanished` resolves to true when the port really went away; if the
   * port stayed, the report goes out at once.
   */
  finish(report: UnitReport, identityKey: string | undefined, confirmVanished: () => Promise<boolean>): void {
    const continued = this.findHeld(report, identityKey);
    if (continued !== undefined) {
      clearTimeout(continued.timer);
      this.held.delete(continued);
      this.portChanged(continued.report.port);
      report.resumed = true;
      report.previousPort = continued.report.port;
      log.info({ path: report.port, previousPort: continued.report.port, hardwareId: report.hardwareId }, 'job continues on a new port after its device returned');
    }

    const windowMs = this.reconnectWindowMs;
    const knowsDevice = identityKey !== undefined || report.hardwareId !== undefined;
    if (report.result !== 'failed' || report.reason?.code !== 'port-closed' || !knowsDevice || windowMs === 0 || this.stopping) {
      this.options.onUnit(report);
      return;
    }

    const held: HeldJob = { report, identityKey, timer: setTimeout(() => this.releaseHeld(held), windowMs) };
    this.held.add(held);
    this.portChanged(report.port);
    void confirmVanished().then((vanished) => {
      if (!vanished) {
        this.releaseHeld(held);
        return;
      }
      if (this.held.has(held)) {
        log.warn({ path: report.port, identity: identityKey, hardwareId: report.hardwareId, windowMs }, 'port vanished mid-job; waiting for the device to return');
        this.options.onWaiting?.(report, windowMs);
      }
    });
  }

  get probeIntervalMs(): number {
    return this.options.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS;
  }

  get openLink(): OpenLink {
    return this.options.openLink;
  }

  get reconnectWindowMs(): number {
    return this.options.reconnectWindowMs ?? DEFAULT_RECONNECT_WINDOW_MS;
  }

  /** True while a job that vanished on `path` waits for its device. */
  isWaitingOn(path: string): boolean {
    return [...this.held].some((held) => held.report.port === path);
  }

  /**
   * Finds the held job this report continues: the same port identity, or the same hardware id.
   * Two hardware ids that differ are two units, even behind one adapter.
   */
  private findHeld(report: UnitReport, identityKey: string | undefined): HeldJob | undefined {
    for (const held of this.held) {
      const heldId = held.report.hardwareId;
      const sameUnit = heldId === undefined || report.hardwareId === undefined || heldId === report.hardwareId;
      const samePort = identityKey !== undefined && held.identityKey === identityKey;
      const sameHardware = heldId !== undefined && heldId === report.hardwareId;
      if (sameUnit && (samePort || sameHardware)) {
        return held;
      }
    }
    return undefined;
  }

  private releaseHeld(held: HeldJob): void {
    clearTimeout(held.timer);
    if (this.held.delete(held)) {
      this.portChanged(held.report.port);
      log.warn({ path: held.report.port, hardwareId: held.report.hardwareId }, 'reporting a job that lost its port as failed; no job continued it');
      this.options.onUnit(held.report);
    }
  }

  /** Syncs one unit at a time: a run drains the whole outbox, so runs never need to overlap. */
  private sync(client: ThingsboardClient): Promise<SyncSummary | undefined> {
    if (this.options.sync !== undefined) {
      return this.options.sync();
    }
    const run = this.syncChain.then(() => syncOutbox(this.options.store, client));
    this.syncChain = run.catch(() => undefined);
    return run.catch((error: unknown) => {
      log.error({ err: error }, 'sync after a passed unit failed; uploads stay queued');
      return undefined;
    });
  }

  private slotFor(path: string): PortSlot {
    let slot = this.slots.get(path);
    if (slot === undefined) {
      slot = new PortSlot(path, this);
      this.slots.set(path, slot);
    }
    return slot;
  }
}

function copyDefined(report: UnitReport, outcome: ProvisionOutcome): void {
  if (outcome.name !== undefined) {
    report.name = outcome.name;
  }
  if (outcome.hardwareId !== undefined) {
    report.hardwareId = outcome.hardwareId;
  }
  if (outcome.reason !== undefined) {
    report.reason = outcome.reason;
  }
  if (outcome.failedStep !== undefined) {
    report.failedStep = outcome.failedStep;
  }
}
