// One port's cycle in the station runner: a job, a wait for the next unit (the port vanishing
// and coming back, or a HELLO probe finding another hardware id), then a job again.
import type { PortJob } from '../../shared/api';
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
  private current: Omit<PortJob, 'port' | 'identity' | 'identityWarning'> | undefined;

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
  }

  /** Closes the open link, so a pending request fails at once with port-closed. */
  disappeared(): void {
    this.present = false;
    this.lastHardwareId = undefined;
    clearTimeout(this.probeTimer);
    void this.closeLink();
  }

  /** Returns this port's job for the StationApi, or undefined for a vanished port with nothing pending. */
  status(): PortJob | undefined {
    const waiting = this.runner.isWaitingOn(this.path);
    if (!this.present && !waiting && this.job === undefined) {
      return undefined;
    }
    const base = { port: this.path, identity: this.identity.key ?? null, identityWarning: this.identity.warning ?? null };
    const current = this.current ?? { state: 'done' as const, unitName: null, hardwareId: null, step: null, result: null, reasonCode: null, resumed: false };
    return { ...base, ...current, ...(waiting ? { state: 'waiting-for-device' as const } : {}) };
  }

  async stop(): Promise<void> {
    clearTimeout(this.probeTimer);
    await this.probing;
    await this.job;
  }

  async closeLink(): Promise<void> {
    const link = this.link;
    this.link = undefined;
    await link?.close();
  }

  private startJob(openedLink?: DeviceLink): void {
    this.job = this.runJob(openedLink).finally(() => {
      this.job = undefined;
      this.scheduleProbe();
    });
  }

  private async runJob(openedLink: DeviceLink | undefined): Promise<void> {
    const startedAt = Date.now();
    const generation = this.generation;
    const current = { state: 'running' as const, unitName: null, hardwareId: null, step: null, result: null, reasonCode: null, resumed: false };
    this.current = current;
    let report: UnitReport;
    try {
      const link = openedLink ?? (await this.runner.openLink(this.path, false));
      this.link = link;
      report = await this.runner.provision(this.path, trackSteps(link, (step) => (this.current = { ...current, step })), startedAt);
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

    this.current = {
      state: 'done',
      unitName: report.name ?? null,
      hardwareId: report.hardwareId ?? null,
      step: this.current?.step ?? null,
      result: report.result,
      reasonCode: report.reason?.code ?? null,
      resumed: report.resumed,
    };
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
        this.startJob(link);
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
