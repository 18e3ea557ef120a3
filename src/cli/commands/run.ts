// `station run`: provision every unit plugged into the station's ports, one job per port, all
// at once, until SIGINT or SIGTERM. Prints one line per unit (one JSON object with --json).
import { existsSync } from 'node:fs';
import { describeReason } from '../../shared/messages';
import { StationError } from '../../shared/reasons';
import { parseUsbMatch } from '../../main/device/discovery';
import { parsePortArgument } from '../../main/device/port-identity';
import { PortWatcher } from '../../main/device/port-watcher';
import { openSerialLink } from '../../main/device/serial-link';
import { StationRunner, type UnitReport } from '../../main/provisioning/station-runner';
import { checkStationClock } from '../../main/credentials/x509/clock-check';
import { DEFAULT_BACKDATE_MINUTES } from '../../main/credentials/x509/profile';
import type { CredentialType } from '../../shared/domain';
import { acquireDatabaseLock } from '../../main/store/database-lock';
import { checkNamingRule } from '../../main/provisioning/naming';
import { Store } from '../../main/store/store';
import { x509Settings, type X509CommandOptions } from '../issuer-access';
import { EXIT, printJson } from '../output';
import { deviceAddressFor, parseServerOptions, type ServerOptions } from '../server-options';

export interface RunCommandOptions extends ServerOptions, X509CommandOptions {
  db: string;
  port?: string[];
  match?: string[];
  portPattern?: string[];
  namingRule?: string;
  credential: CredentialType;
  baud: number;
  json?: boolean;
}

/** Deadline of a probe's HELLO, short because an idle port is probed every second. */
const PROBE_TIMEOUT_MS = 300;

export async function runCommand(options: RunCommandOptions): Promise<number> {
  const ports = (options.port ?? []).map(parsePortArgument);
  const identities = new Map<string, string>();
  for (const port of ports) {
    if (port.identity !== undefined) {
      identities.set(port.path, port.identity);
    }
  }
  const selection = {
    paths: ports.map((port) => port.path),
    identities,
    matches: (options.match ?? []).map(parseUsbMatch),
    pathPatterns: options.portPattern ?? [],
  };
  if (selection.paths.length === 0 && selection.matches.length === 0 && selection.pathPatterns.length === 0) {
    throw new StationError('invalid-argument', 'no ports to serve; give --port PATH, --match VID:PID or --port-pattern GLOB');
  }
  if (options.namingRule !== undefined) {
    checkNamingRule(options.namingRule);
  }
  const connection = parseServerOptions(options);
  const deviceAddress = deviceAddressFor(options, connection);
  // Another station program on this database would drive the same ports and journal.
  const lock = acquireDatabaseLock(options.db, { program: 'station run' });
  const store = new Store(options.db);
  // The issuer is unlocked once, before any port is served, so a wrong passphrase stops here.
  if (options.credential === 'x509') {
    await checkStationClock(store, connection, options.certBackdateMinutes ?? DEFAULT_BACKDATE_MINUTES);
  }
  const x509 = options.credential === 'x509' ? await x509Settings(store, options) : undefined;

  let failedUnits = 0;
  const runner = new StationRunner({
    store,
    watcher: new PortWatcher({ selection }),
    openLink: (path, probe) =>
      openSerialLink(path, { baudRate: options.baud, ...(probe ? { requestTimeoutMs: PROBE_TIMEOUT_MS, retries: 0 } : {}) }),
    credentialType: options.credential,
    ...(x509 === undefined ? {} : { x509 }),
    ...(options.namingRule === undefined ? {} : { namingRule: options.namingRule }),
    ...(connection === undefined ? {} : { server: connection }),
    ...(deviceAddress === undefined ? {} : { deviceAddress }),
    onUnit: (report) => {
      failedUnits += report.result === 'failed' ? 1 : 0;
      printUnit(report, options);
    },
    onWaiting: (report, windowMs) => {
      if (options.json !== true) {
        console.log(`WAIT ${report.port}: the port vanished mid-job; waiting ${Math.round(windowMs / 1000)} s for the device to return on any port`);
      }
    },
  });

  runner.start();
  if (options.json !== true) {
    console.log(`serving ${describeSelection(selection)}; press Ctrl+C to stop`);
    for (const path of selection.paths.filter((candidate) => !existsSync(candidate))) {
      console.log(`waiting for ${path} to appear (no such port yet)`);
    }
  }
  await waitForStopSignal();

  await runner.stop();
  store.close();
  lock.release();
  return failedUnits > 0 ? EXIT.failed : EXIT.ok;
}

function waitForStopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

function printUnit(report: UnitReport, options: RunCommandOptions): void {
  if (options.json === true) {
    printJson({
      port: report.port,
      name: report.name ?? null,
      hardwareId: report.hardwareId ?? null,
      result: report.result,
      reason: report.reason === undefined ? null : describeReason(report.reason.code, report.reason.detail),
      reasonCode: report.reason?.code ?? null,
      synced: report.synced,
      resumed: report.resumed,
      previousPort: report.previousPort ?? null,
      identity: report.identity ?? null,
      identityWarning: report.identityWarning ?? null,
      jobId: report.jobId ?? null,
      durationMs: report.durationMs,
    });
    return;
  }

  const unit = report.name === undefined ? '' : ` ${report.name} (hardware id ${report.hardwareId ?? ''})`;
  if (report.result === 'failed') {
    const why = report.reason === undefined ? 'no reason recorded' : describeReason(report.reason.code, withoutPort(report.reason.detail, report.port));
    console.log(`FAIL ${report.port}${unit}: ${why}`);
    return;
  }
  const warning = report.identityWarning === undefined ? '' : ` (warning: ${report.identityWarning})`;
  console.log(`PASS ${report.port}${unit}${resumedText(report)}: ${syncText(report, options)}${warning}`);
}

/** Drops a leading "PORT: " from a reason's detail, because the line starts with the port already. */
function withoutPort(detail: string | undefined, port: string): string | undefined {
  if (detail === undefined || !detail.startsWith(`${port}: `)) {
    return detail;
  }
  return detail.slice(port.length + 2);
}

function resumedText(report: UnitReport): string {
  if (report.previousPort !== undefined) {
    return ` (resumed the job it started on ${report.previousPort})`;
  }
  return report.resumed ? ' (already held its credential)' : '';
}

function syncText(report: UnitReport, options: RunCommandOptions): string {
  if (report.synced) {
    return 'registered on the server';
  }
  if (options.server === undefined) {
    return 'upload queued; run `station sync` when the server is reachable';
  }
  const why = report.syncStoppedBy;
  return `upload queued: ${why === undefined ? 'the server did not take it; see `station outbox`' : describeReason(why.code, why.detail)}`;
}

function describeSelection(selection: { paths: string[]; matches: Array<{ vendorId: string; productId?: string }>; pathPatterns: string[] }): string {
  const parts = [
    ...selection.paths,
    ...selection.matches.map((match) => `USB ${match.vendorId}:${match.productId ?? '*'}`),
    ...selection.pathPatterns,
  ];
  return parts.join(', ');
}
