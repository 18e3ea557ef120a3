// The history export: one CSV row per unit, with the credential's fingerprint and never the
// credential itself. csv-stringify does the quoting. A cell that starts with =, +, - or @ gets a
// leading apostrophe, because spreadsheet programs would run it as a formula.
import { stringify } from 'csv-stringify/sync';
import type { HistoryEntry } from '../../shared/api';

const COLUMNS: Array<{ key: keyof HistoryEntry; header: string }> = [
  { key: 'name', header: 'device name' },
  { key: 'hardwareId', header: 'hardware id' },
  { key: 'model', header: 'model' },
  { key: 'credentialType', header: 'credential type' },
  { key: 'fingerprint', header: 'credential fingerprint' },
  { key: 'result', header: 'result' },
  { key: 'reasonCode', header: 'reason' },
  { key: 'syncState', header: 'sync state' },
  { key: 'time', header: 'time (UTC)' },
  { key: 'stationId', header: 'station' },
  { key: 'port', header: 'port' },
];

export function historyCsv(entries: HistoryEntry[]): string {
  const rows = entries.map((entry) => COLUMNS.map(({ key }) => neutralizeFormula(entry[key])));
  return stringify([COLUMNS.map((column) => column.header), ...rows]);
}

function neutralizeFormula(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  return /^[=+\-@]/.test(text) ? `'${text}` : text;
}
