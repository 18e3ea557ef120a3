// Terminal output for the commands: one-line reasons on stderr, the --json object as the last
// line of stdout, and the exit codes every command shares.
import Table from 'cli-table3';
import { describeReason } from '../shared/messages';
import { isStationError, type ReasonCode } from '../shared/reasons';

export const EXIT = {
  ok: 0,
  /** A unit failed, or uploads were parked for an operator. */
  failed: 1,
  /** The command line itself was wrong. */
  usage: 2,
  /** The work is saved but the server could not take it yet (offline, wrong account, limits). */
  notSynced: 3,
} as const;

export function printJson(value: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(value) + '\n');
}

export function printReason(prefix: string, code: ReasonCode, detail?: string): void {
  process.stderr.write(`${prefix}${describeReason(code, detail)}\n`);
}

/** Prints an unexpected or expected error as one line and returns the exit code to use. */
export function reportError(error: unknown): number {
  if (isStationError(error)) {
    printReason('error: ', error.code, error.detail);
    return error.code === 'invalid-argument' ? EXIT.usage : EXIT.failed;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${message.split('\n')[0] ?? message}\n`);
  return EXIT.failed;
}

/** Renders rows as a plain table for people; --json is the format for scripts. */
export function formatTable(rows: ReadonlyArray<Record<string, string | number>>): string {
  const first = rows[0];
  if (first === undefined) {
    return '';
  }
  const head = Object.keys(first);
  const table = new Table({ head, style: { head: [], border: [] } });
  for (const row of rows) {
    table.push(head.map((key) => String(row[key] ?? '')));
  }
  return table.toString();
}
