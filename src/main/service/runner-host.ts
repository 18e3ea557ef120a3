// Runs the station runner the saved setup describes, and runs a new one when the setup changes.
// It turns the runner's callbacks into StationEvents: one per port change, one per port gone,
// and the station state (running, not configured, or why it could not start).
import { userInfo } from 'node:os';
import type { PortJob, StationEvent, StationState } from '../../shared/api';
import { isStationError, StationError, type ReasonCode } from '../../shared/reasons';
import type { ParsedSetup, StationSetup } from '../../shared/setup';
import { DEFAULT_MQTT_PORT, DEFAULT_MQTTS_PORT, type ServerAddress } from '../credentials/generate';
import { issuerProtectorFor } from '../credentials/x509/issuer-protection';
import type { SafeStorageLike } from '../credentials/x509/key-protector';
import { parseUsbMatch } from '../device/discovery';
import { parsePortArgument } from '../device/port-identity';
import { PortWatcher } from '../device/port-watcher';
import { openSerialLink } from '../device/serial-link';
import { getLogger } from '../log';
import { StationRunner, type OpenLink } from '../provisioning/station-runner';
import type { X509Settings } from '../provisioning/x509-credential';
import { IssuerStore } from '../store/issuer-store';
import type { Store } from '../store/store';
import type { ScanDesk } from './scan-desk';
import type { SyncWorker } from './sync-worker';

const log = getLogger('station');

/** Environment variable with the passphrase of the station's issuing CA key, for X.509 stations. */
export const ISSUER_PASSPHRASE_VARIABLE = 'STATION_ISSUER_PASSPHRASE';
const BAUD_RATE = 115_200;
/** Deadline of a probe's HELLO, short because an idle port is probed every second. */
const PROBE_TIMEOUT_MS = 300;

export interface RunnerHostOptions {
  openLink?: OpenLink;
  safeStorage?: SafeStorageLike;
  probeIntervalMs?: number;
  onEvent: (event: StationEvent) => void;
  /** Called after each unit's job ended and its sync ran. */
  onUnit: () => void;
}

export class RunnerHost {
  private runner: StationRunner | undefined;
  private current: StationState = { running: false, status: 'stopped', reasonCode: null, reasonDetail: null };
  private readonly knownPorts = new Set<string>();
  /** Serializes restarts, so a second setup save waits for the first runner to stop. */
  private transition: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly sync: SyncWorker,
    private readonly scans: ScanDesk,
    private readonly options: RunnerHostOptions,
  ) {}

  get state(): StationState {
    return this.current;
  }

  portJobs(): PortJob[] {
    return this.runner?.portJobs() ?? [];
  }

  /** Returns why an X.509 setup cannot issue certificates, as a field message, or undefined. */
  checkIssuer(setup: ParsedSetup): string | undefined {
    // A QA station issues nothing, so its provisioning settings need no issuer.
    if (setup.mode === 'qa' || setup.credentialType !== 'x509' || setup.x509Mode === 'self-signed') {
      return undefined;
    }
    if (new IssuerStore(this.store.database).activeIssuerInfo() === undefined) {
      return 'This mode signs with the station\'s issuing CA, and none is set up. Create one with "station issuer create", or choose self-signed.';
    }
    return undefined;
  }

  restart(setup: StationSetup): Promise<void> {
    this.transition = this.transition.then(async () => {
      await this.stopRunner();
      this.scans.clear();
      await this.startRunner(setup);
    });
    return this.transition;
  }

  async stop(): Promise<void> {
    this.transition = this.transition.then(() => this.stopRunner());
    await this.transition;
  }

  private async startRunner(setup: StationSetup): Promise<void> {
    if (!setup.configured) {
      this.setState({ running: false, status: 'not-configured', reasonCode: 'station-not-configured', reasonDetail: null });
      return;
    }

    let x509: X509Settings | undefined;
    try {
      x509 = setup.mode === 'provision' && setup.credentialType === 'x509' ? await this.loadX509(setup) : undefined;
    } catch (error) {
      const reason = isStationError(error) ? { code: error.code, detail: error.detail ?? null } : { code: 'internal' as ReasonCode, detail: null };
      log.error({ reason: reason.code }, 'the station cannot issue certificates; ports are not served');
      this.setState({ running: false, status: 'error', reasonCode: reason.code, reasonDetail: reason.detail });
      return;
    }

    const connection = this.sync.connected;
    const runner = new StationRunner({
      store: this.store,
      watcher: new PortWatcher({ selection: selectionOf(setup) }),
      openLink: this.options.openLink ?? openSerialPort,
      credentialType: setup.credentialType,
      ...(x509 === undefined ? {} : { x509 }),
      ...(setup.naming.mode === 'rule'
        ? { namingRule: setup.naming.rule }
        : { resolveName: (path: string, _hello: unknown, signal: AbortSignal) => this.scans.nameFor(path, signal) }),
      ...(connection === undefined ? {} : { server: connection, sync: () => this.sync.afterUnit() }),
      ...offlineDeviceAddress(setup),
      ...(setup.mode === 'qa' ? { qa: this.qaOptions(setup) } : {}),
      ...(this.options.probeIntervalMs === undefined ? {} : { probeIntervalMs: this.options.probeIntervalMs }),
      onUnit: () => this.options.onUnit(),
      onPortChange: (job) => {
        this.knownPorts.add(job.port);
        this.options.onEvent({ type: 'port-job', job });
      },
      onPortRemoved: (port) => {
        if (this.knownPorts.delete(port)) {
          this.options.onEvent({ type: 'port-removed', port });
        }
      },
    });
    runner.start();
    this.runner = runner;
    this.setState({ running: true, status: 'running', reasonCode: null, reasonDetail: null });
  }

  private qaOptions(setup: StationSetup): NonNullable<ConstructorParameters<typeof StationRunner>[0]['qa']> {
    const connection = this.sync.connected;
    return {
      operator: qaOperator(),
      ...(connection === undefined ? {} : { client: connection.client }),
      // Units another station provisioned are found on the server by the name this rule gives.
      ...(setup.naming.mode === 'rule' ? { namingRule: setup.naming.rule } : {}),
    };
  }

  private async stopRunner(): Promise<void> {
    const runner = this.runner;
    this.runner = undefined;
    if (runner !== undefined) {
      await runner.stop();
    }
    for (const port of this.knownPorts) {
      this.options.onEvent({ type: 'port-removed', port });
    }
    this.knownPorts.clear();
    this.setState({ running: false, status: 'stopped', reasonCode: null, reasonDetail: null });
  }

  private async loadX509(setup: StationSetup): Promise<X509Settings> {
    const issuerStore = new IssuerStore(this.store.database);
    const settings: X509Settings = { mode: setup.x509Mode, keyAlgorithm: setup.keyAlgorithm, issuerStore };
    if (setup.x509Mode === 'self-signed') {
      return settings;
    }
    if (issuerStore.activeIssuerInfo() === undefined) {
      throw new StationError('issuer-missing', `X.509 mode ${setup.x509Mode} signs with the station's issuing CA`);
    }
    // A key sealed with the OS keychain opens with safeStorage (desktop app); a passphrase-sealed
    // one needs STATION_ISSUER_PASSPHRASE, because a headless station has no prompt.
    const passphrase = process.env[ISSUER_PASSPHRASE_VARIABLE];
    const protector = issuerProtectorFor(issuerStore, {
      ...(this.options.safeStorage === undefined ? {} : { safeStorage: this.options.safeStorage }),
      ...(passphrase === undefined || passphrase === '' ? {} : { passphrase }),
    });
    settings.issuer = await issuerStore.loadActiveIssuer(protector);
    return settings;
  }

  private setState(state: StationState): void {
    this.current = state;
    this.options.onEvent({ type: 'station-state', state });
  }
}

function selectionOf(setup: StationSetup): ConstructorParameters<typeof PortWatcher>[0]['selection'] {
  const ports = setup.ports.paths.map(parsePortArgument);
  const identities = new Map<string, string>();
  for (const port of ports) {
    if (port.identity !== undefined) {
      identities.set(port.path, port.identity);
    }
  }
  return {
    paths: ports.map((port) => port.path),
    identities,
    matches: setup.ports.matches.map(parseUsbMatch),
    pathPatterns: setup.ports.patterns,
  };
}

/** Returns the address an offline station writes to its devices, when its setup names the server host. */
function offlineDeviceAddress(setup: StationSetup): { deviceAddress?: ServerAddress } {
  const { server } = setup;
  if (server.mode !== 'offline' || server.deviceHost === undefined) {
    return {};
  }
  return { deviceAddress: { host: server.deviceHost, port: server.mqttPort ?? DEFAULT_MQTT_PORT, tlsPort: server.mqttsPort ?? DEFAULT_MQTTS_PORT } };
}

/**
 * The operator recorded with each QA result: the login name of the station PC.
 * NOTE: a kiosk where everyone shares one login records that login, not the person.
 */
export function qaOperator(): string {
  try {
    return userInfo().username;
  } catch {
    // No passwd entry for this user id, as in some containers.
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

const openSerialPort: OpenLink = (path, probe) =>
  openSerialLink(path, { baudRate: BAUD_RATE, ...(probe ? { requestTimeoutMs: PROBE_TIMEOUT_MS, retries: 0 } : {}) });
