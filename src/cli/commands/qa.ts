// `station qa`: proves a finished unit on one port is really provisioned, one line per check.
// `station qa-report`: every QA run this station made, as CSV.
import { readFileSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { describeReason } from '../../shared/messages';
import { isStationError, StationError } from '../../shared/reasons';
import { openSerialLink } from '../../main/device/serial-link';
import { completePendingQa } from '../../main/qa/qa-completion';
import { runQaJob, type QaOutcome } from '../../main/qa/qa-job';
import { qaOperator } from '../../main/service/runner-host';
import { QaRepository } from '../../main/store/qa-repository';
import { Store } from '../../main/store/store';
import { EXIT, printJson } from '../output';
import { parseServerOptions, type ServerOptions } from '../server-options';

/** Exit code when no check failed but some wait for the server. */
export const EXIT_QA_PENDING = 3;

export interface QaCommandOptions extends ServerOptions {
  port: string;
  db: string;
  name?: string;
  namingRule?: string;
  root?: string[];
  operator?: string;
  baud: number;
  json?: boolean;
}

const VERDICT_WORDS = { passed: 'PASS', failed: 'FAIL', deferred: 'WAIT', 'not-applicable': 'N/A ', 'not-run': 'SKIP' } as const;

export async function qaCommand(options: QaCommandOptions): Promise<number> {
  const connection = parseServerOptions(options);
  const trustedRootsPem = options.root?.map((path) => readRoot(path));
  const store = new Store(options.db);
  let outcome: QaOutcome;
  try {
    if (connection !== undefined) {
      // Runs left waiting by an earlier offline session finish first, so the report is current.
      await completePendingQa(store, connection.client);
    }
    const link = await openSerialLink(options.port, { baudRate: options.baud });
    try {
      outcome = await runQaJob({
        store,
        link,
        operator: options.operator ?? qaOperator(),
        ...(connection === undefined ? {} : { client: connection.client }),
        ...(options.name === undefined ? {} : { name: options.name }),
        ...(options.namingRule === undefined ? {} : { namingRule: options.namingRule }),
        ...(trustedRootsPem === undefined ? {} : { trustedRootsPem }),
      });
    } finally {
      await link.close();
    }
  } finally {
    store.close();
  }

  printOutcome(outcome, options);
  if (outcome.result === 'failed') {
    return EXIT.failed;
  }
  return outcome.result === 'pending' ? EXIT_QA_PENDING : EXIT.ok;
}

export function qaReportCommand(options: { db: string; limit: number }): number {
  const store = new Store(options.db, { create: false });
  try {
    const runs = new QaRepository(store.database).list(options.limit);
    const header = ['run', 'device name', 'hardware id', 'credential type', 'result', 'failed checks', 'deferred checks', 'time (UTC)', 'station', 'operator', 'port', 'on server'];
    const rows = runs.map((run) => [
      run.id,
      run.unitName ?? '',
      run.hardwareId,
      run.credentialType ?? '',
      run.result,
      run.checks.filter((check) => check.verdict === 'failed').map((check) => check.check).join(' '),
      run.checks.filter((check) => check.verdict === 'deferred').map((check) => check.check).join(' '),
      new Date(run.startedAt).toISOString(),
      store.stationId(),
      run.operator,
      run.port,
      run.serverWritten ? 'yes' : 'no',
    ]);
    process.stdout.write(stringify([header, ...rows.map((row) => row.map(neutralizeFormula))]));
    return EXIT.ok;
  } finally {
    store.close();
  }
}

function printOutcome(outcome: QaOutcome, options: QaCommandOptions): void {
  const unit = outcome.name === null ? `hardware id ${outcome.hardwareId ?? 'unknown'}` : `${outcome.name} (hardware id ${outcome.hardwareId ?? ''})`;
  const lines = [`QA ${unit} on ${options.port}`];
  for (const check of outcome.checks) {
    const reason = check.reasonCode === null ? (check.detail ?? '') : describeReason(check.reasonCode, check.detail ?? undefined);
    lines.push(`  ${VERDICT_WORDS[check.verdict]} ${check.check}${reason === '' ? '' : `: ${reason}`}`);
  }
  const summary = { passed: 'QA PASSED', failed: 'QA FAILED', pending: 'QA pending server check' }[outcome.result];
  lines.push(summary);
  (options.json === true ? process.stderr : process.stdout).write(`${lines.join('\n')}\n`);

  if (options.json === true) {
    printJson({ ...outcome });
  }
}

function readRoot(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new StationError('invalid-argument', `--root ${path} cannot be read: ${isStationError(error) ? error.code : (error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

function neutralizeFormula(value: string | number): string {
  const text = String(value);
  return /^[=+\-@]/.test(text) ? `'${text}` : text;
}
