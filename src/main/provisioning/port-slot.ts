// One port's cycle in the station runner: a job, a wait for the next unit (the port vanishing
// and coming back, or a HELLO probe finding another hardware id), then a job again.
import type { PortJob } from '../../shared/api';
import type { DeviceHello } from '../../shared/domain';
import { isStationError } from '../../shared/reasons';
import type { DiscoveredPort } from '../device/discovery';
import type { DeviceLink } from '../device/link';
import type { PortIdentity } from '../device/port-identity';
import { trackSteps } from '../device/step-tracking-link';
import { getLogger } from '../log';
import type { StationRunner, UnitReport } from './station-runner';

const log = getLogger('provision');

/** Longer than the port watcher's poll interval, so its verdict on a lost port arrives first. */
const VANISH_CONFIRM_MS = 1500;

/** The part of a port's PortJob that the job itself changes. */
type JobView = Omit<PortJob, 'port' | 'identity' | 'identityWarning'>;

const IDLE_VIEW: JobView = {
  state: 'done',
  unitName: null,
  hardwareId: null,
  step: null,
  progress: null,
  result: null,
  reasonCode: null,
  reasonDetail: null,
  resumed: false,
  synced: null,
  startedAt: null,
  workflow: 'provision',
  checks: null,
  qaResult: null,
};

/** One port's cycle: job, wait for the next unit, job again. */
export class PortSlot {
  private present = false;
  private job: Promise<void> | undefined;
  private link: DeviceLink | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private probing: Promise<void> | undefined;
  /** Hardware id of the last unit on this port, until the port disappears. */
  private lastHardwareId: string | undefined;
  /** Whether the last unit's job failed: it is tried again once the device was gone and is back. */
  private lastFailed = false;
  /** Whether a probe found no device answering since the last job. */
  private lostContact = false;
  /** Counts appearances, so a job that outlives its port does not mark the next unit as done. */
  private generation = 0;
  private identity: PortIdentity = {};
  private current: JobView | undefined;
  /** Set while the job waits for a scanned serial number. */
  private waitingForScan = false;
  /** Aborted when the port disappears or the runner stops, so a job waiting for a scan ends. */
  private jobAbort = new AbortController();

  constructor(
    readonly path: string,
    private readonly runner: StationRunner,
  ) {}

  get busy(): boolean {
    return this.job !== undefined;
  }

  appeared(port: DiscoveredPort, identity: PortIdentity): void {
    this.identity = identity;
    if (identity.warning !== undefined) {
      log.warn({ path: port.path, identity: identity.key }, `port identity is ambiguous: ${identity.warning}`);
    }
    this.present = true;
    this.lastHardwareId = undefined;
    this.generation += 1;
    if (this.job === undefined && this.probing === undefined) {
      log.info({ path: port.path, serialNumber: port.serialNumber }, 'starting a job on a port that appeared');
      this.startJob();
    }
    this.runner.portChanged(this.path);
  }

  /** Closes the open link, so a pending request fails at once with port-closed. */
  disappeared(): void {
    this.present = false;
    this.lastHardwareId = undefined;
    clearTimeout(this.probeTimer);
    this.jobAbort.abort();
    void this.closeLink();
    this.runner.portChanged(this.path);
  }

  /** Aborted when the job's port disappears or the runner stops. */
  get jobSignal(): AbortSignal {
    return this.jobAbort.signal;
  }

  /** Returns this port's job for the StationApi, or undefined for a vanished port with nothing pending. */
  status(): PortJob | undefined {
    const waiting = this.runner.isWaitingOn(this.path);
    if (!this.present && !waiting && this.job === undefined) {
      return undefined;
    }
    const base = { port: this.path, identity: this.identity.key ?? null, identityWarning: this.identity.warning ?? null };
    const current = this.current ?? IDLE_VIEW;
    let state = current.state;
    if (waiting) {
      state = 'waiting-for-device';
    } else if (this.waitingForScan) {
      state = 'waiting-for-scan';
    }
    return { ...base, ...current, state };
  }

  /** Shows the unit's name and hardware id on the card as soon as the job has them. */
  noteUnit(unitName: string, hardwareId: string): void {
    this.update({ unitName, hardwareId });
  }

  /** Shows the hardware id while the unit waits for its name. */
  noteHardwareId(hardwareId: string): void {
    this.update({ hardwareId });
  }

  /** Marks the job as waiting for a scanned serial number, or no longer waiting. */
  setWaitingForScan(waiting: boolean): void {
    this.waitingForScan = waiting;
    this.runner.portChanged(this.path);
  }

  private currentStep(): string | null {
    return this.current?.step ?? null;
  }

  private update(patch: Partial<JobView>): void {
    this.current = { ...(this.current ?? IDLE_VIEW), ...patch };
    this.runner.portChanged(this.path);
  }

  async stop(): Promise<void> {
    clearTimeout(this.probeTimer);
    this.jobAbort.abort();
    await this.probing;
    await this.job;
  }

  async closeLink(): Promise<void> {
    const link = this.link;
    this.link = undefined;
    await link?.close();
  }

  /** Starts a job, on the link and with the HELLO reply of the probe that found the unit when given. */
  private startJob(probed?: { link: DeviceLink; hello: DeviceHello }): void {
    this.job = this.runJob(probed).finally(() => {
      this.job = undefined;
      this.scheduleProbe();
    });
  }

  private async runJob(probed: { link: DeviceLink; hello: DeviceHello } | undefined): Promise<void> {
    const startedAt = Date.now();
    const generation = this.generation;
    this.current = undefined;
    this.jobAbort = new AbortController();
    this.update({ state: 'running', startedAt: new Date(startedAt).toISOString(), workflow: this.runner.workflow });
    let report: UnitReport;
    try {
      const link = probed?.link ?? (await this.runner.openLink(this.path, false));
      this.link = link;
      const tracked = trackSteps(
        link,
        (step) => this.update({ step, progress: null }),
        (progress) => this.update({ progress }),
      );
      report = await this.runner.provision(this.path, tracked, startedAt, this, probed?.hello);
    } catch (error) {
      // Opening the port failed (or an unexpected error): the unit fails with the reason.
      const reason = isStationError(error) ? { code: error.code, ...(error.detail === undefined ? {} : { detail: error.detail }) } : { code: 'internal' as const, detail: String(error) };
      log.warn({ path: this.path, reason }, 'job could not run');
      report = { port: this.path, result: 'failed', resumed: false, reason, synced: false, durationMs: Date.now() - startedAt };
    } finally {
      this.link = undefined;
    }

    if (report.hardwareId !== undefined && generation === this.generation) {
      this.lastHardwareId = report.hardwareId;
    }
    this.lastFailed = report.result === 'failed';
    this.lostContact = false;
    if (this.identity.key !== undefined) {
      report.identity = this.identity.key;
    }
    if (this.identity.warning !== undefined) {
      report.identityWarning = this.identity.warning;
    }

    this.waitingForScan = false;
    this.update({
      state: 'done',
      unitName: report.name ?? null,
      hardwareId: report.hardwareId ?? null,
      step: report.failedStep ?? this.currentStep(),
      progress: null,
      result: report.result,
      reasonCode: report.reason?.code ?? null,
      reasonDetail: report.reason?.detail ?? null,
      resumed: report.resumed,
      synced: report.synced,
      checks: report.qa?.checks ?? null,
      qaResult: report.qa?.result ?? null,
    });
    this.runner.finish(report, this.identity.key, () => this.vanishedAfter(generation));
  }

  /**
   * Resolves to true when the port went away under a job that lost it. The serial port often reports
   * the loss before the watcher's next poll, so this waits for that poll.
   */
  private async vanishedAfter(generation: number): Promise<boolean> {
    const waitUntil = Date.now() + VANISH_CONFIRM_MS;
    while (this.present && generation === this.generation && Date.now() < waitUntil) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return !this.present || generation !== this.generation;
  }

  private scheduleProbe(): void {
    if (!this.present || this.runner.isStopping) {
      return;
    }
    this.probeTimer = setTimeout(() => {
      this.probing = this.probe().finally(() => (this.probing = undefined));
    }, this.runner.probeIntervalMs);
  }

  /**
   * Says HELLO. Another hardware id than the last unit's starts a job on the same link, and so
   * does the same failed unit once it stopped answering and came back (restarted or reconnected
   * behind an adapter that stayed plugged in).
   */
  private async probe(): Promise<void> {
    let link: DeviceLink | undefined;
    try {
      link = await this.runner.openLink(this.path, true);
      this.link = link;
      const hello = await link.hello();
      const nextUnit = hello.hardwareId !== this.lastHardwareId;
      const failedUnitBack = this.lastFailed && this.lostContact;
      if (this.present && !this.runner.isStopping && (nextUnit || failedUnitBack)) {
        log.info({ path: this.path, hardwareId: hello.hardwareId, retry: !nextUnit }, nextUnit ? 'next unit found on the port' : 'failed unit is back; trying it again');
        // The job uses this HELLO reply for its hello step instead of sending HELLO again. The
        // reply comes from the unit the job's own HELLO would reach: the job runs on this open
        // link and starts at once, with no request in between. Its own HELLO would have gone out
        // only milliseconds later, far less time than swapping units behind the cable takes.
        this.startJob({ link, hello });
        return;
      }
    } catch (error) {
      // No device, or one that is not ready yet: the port is probed again.
      this.lostContact = true;
      log.debug({ path: this.path, err: error }, 'probe found no unit');
    }

    this.link = undefined;
    await link?.close();
    this.scheduleProbe();
  }
}
