// `station provision`: provision the device on one port, then sync if a server was given.
import { describeReason } from '../../shared/messages';
import { isStationError, type ReasonCode } from '../../shared/reasons';
import { checkStationClock } from '../../main/credentials/x509/clock-check';
import { DEFAULT_BACKDATE_MINUTES } from '../../main/credentials/x509/profile';
import { openSerialLink } from '../../main/device/serial-link';
import { runProvisionJob, type ProvisionCredentialType, type ProvisionOutcome } from '../../main/provisioning/provision-job';
import { checkNamingRule } from '../../main/provisioning/naming';
import { acquireDatabaseLock } from '../../main/store/database-lock';
import { Store } from '../../main/store/store';
import { syncOutbox, type SyncSummary } from '../../main/sync/sync';
import { x509Settings, type X509CommandOptions } from '../issuer-access';
import { EXIT, printJson, printReason } from '../output';
import { deviceAddressFor, parseServerOptions, type ServerConnection, type ServerOptions } from '../server-options';

export interface ProvisionCommandOptions extends ServerOptions, X509CommandOptions {
  port: string;
  db: string;
  name?: string;
  namingRule?: string;
  credential: ProvisionCredentialType;
  baud: number;
  json?: boolean;
}

interface ProvisionReport {
  outcome: Pick<ProvisionOutcome, 'result' | 'resumed'> & Partial<ProvisionOutcome>;
  synced: boolean;
  sync?: SyncSummary;
}

export async function provisionCommand(options: ProvisionCommandOptions): Promise<number> {
  let report: ProvisionReport;
  try {
    report = await provision(options);
  } catch (error) {
    // Failures before the job starts (bad port, unreadable database, issuer) still get the
    // one-line reason and, with --json, the JSON result a script waits for.
    if (!isStationError(error)) {
      throw error;
    }
    report = { outcome: { result: 'failed', resumed: false, reason: toReason(error) }, synced: false };
  }

  printHuman(report, options);
  if (options.json === true) {
    printJson(toJson(report, options));
  }

  if (report.outcome.result === 'failed') {
    return report.outcome.reason?.code === 'invalid-argument' ? EXIT.usage : EXIT.failed;
  }
  return options.server !== undefined && !report.synced ? EXIT.notSynced : EXIT.ok;
}

async function provision(options: ProvisionCommandOptions): Promise<ProvisionReport> {
  const connection: ServerConnection | undefined = parseServerOptions(options);
  const deviceAddress = deviceAddressFor(options, connection);
  if (options.namingRule !== undefined) {
    checkNamingRule(options.namingRule);
  }
  // A running station (desktop app, station serve or run) owns this database and its ports.
  const lock = acquireDatabaseLock(options.db, { program: 'station provision' });
  let store: Store;
  try {
    store = new Store(options.db);
  } catch (error) {
    lock.release();
    throw error;
  }

  try {
    if (options.credential === 'x509') {
      await checkStationClock(store, connection, options.certBackdateMinutes ?? DEFAULT_BACKDATE_MINUTES);
    }
    const x509 = options.credential === 'x509' ? await x509Settings(store, options) : undefined;
    const link = await openSerialLink(options.port, { baudRate: options.baud });
    let outcome: ProvisionOutcome;
    try {
      outcome = await runProvisionJob({
        store,
        link,
        credentialType: options.credential,
        ...(x509 === undefined ? {} : { x509 }),
        ...(options.name === undefined ? {} : { name: options.name }),
        ...(options.namingRule === undefined ? {} : { namingRule: options.namingRule }),
        ...(deviceAddress === undefined ? {} : { server: deviceAddress }),
      });
    } finally {
      await link.close();
    }

    let sync: SyncSummary | undefined;
    if (outcome.result === 'passed' && connection !== undefined) {
      sync = await syncOutbox(store, connection.client);
    }
    const uploads = outcome.unitId === undefined ? [] : store.outboxForUnit(outcome.unitId).filter((entry) => entry.state !== 'retired');
    const synced = uploads.length > 0 && uploads.every((entry) => entry.state === 'done');
    return sync === undefined ? { outcome, synced } : { outcome, synced, sync };
  } finally {
    store.close();
    lock.release();
  }
}

/**
 * Refuses to issue certificates when the station's clock is off by more than the notBefore
 * back-dating: devices that take their time from the network would then reject the certificate
 * as not yet valid, or keep it past its end. The skew is measured against the server's Date
 * header now when the server answers, or taken from the last contact when it does not.
 */
function printHuman(report: ProvisionReport, options: ProvisionCommandOptions): void {
  const { outcome, sync } = report;
  if (outcome.result === 'failed') {
    if (outcome.reason !== undefined) {
      printReason('failed: ', outcome.reason.code, outcome.reason.detail);
    }
    return;
  }

  const how = outcome.resumed ? 'PASS (the device already held its credential; nothing written)' : 'PASS';
  console.log(`${outcome.name ?? ''} (hardware id ${outcome.hardwareId ?? ''}): ${how}`);
  if (report.synced) {
    console.log('registered on the server');
  } else if (options.server === undefined) {
    console.log('upload queued: no --server given; run `station sync` when the server is reachable');
  } else {
    const why = sync?.stoppedBy;
    process.stderr.write(`upload queued: ${why === undefined ? 'the server did not take it; see `station outbox`' : describeReason(why.code, why.detail)}\n`);
  }
}

function toJson(report: ProvisionReport, options: ProvisionCommandOptions): Record<string, unknown> {
  const { outcome, sync } = report;
  const result: Record<string, unknown> = {
    name: outcome.name ?? null,
    hardwareId: outcome.hardwareId ?? null,
    credentialType: options.credential,
    result: outcome.result,
    resumed: outcome.resumed,
    synced: report.synced,
    jobId: outcome.jobId ?? null,
  };
  if (outcome.reason !== undefined) {
    result.reason = describeReason(outcome.reason.code, outcome.reason.detail);
    result.reasonCode = outcome.reason.code;
  }
  if (sync?.stoppedBy !== undefined) {
    result.syncReason = describeReason(sync.stoppedBy.code, sync.stoppedBy.detail);
    result.syncReasonCode = sync.stoppedBy.code;
  }
  return result;
}

function toReason(error: { code: ReasonCode; detail: string | undefined }): { code: ReasonCode; detail?: string } {
  return error.detail === undefined ? { code: error.code } : { code: error.code, detail: error.detail };
}
