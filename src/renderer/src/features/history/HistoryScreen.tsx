// The history: every unit this station handled, searchable, with a CSV export of the search.
import { useEffect } from 'react';
import type { HistoryEntry } from '../../../../shared/api';
import { REASON_MESSAGES, UI_STRINGS } from '../../../../shared/messages';
import { useFeature, useStores } from '../../app/context';
import { formatTime } from '../../app/format';
import { ListTable } from '../../app/ListTable';
import { HISTORY_SHOWN } from './store';

const STRINGS = UI_STRINGS.history;

export function HistoryScreen() {
  const stores = useStores();
  const text = useFeature('history', (state) => state.text);
  const entries = useFeature('history', (state) => state.entries);
  const loaded = useFeature('history', (state) => state.loaded);
  const exporting = useFeature('history', (state) => state.exporting);
  const search = useFeature('history', (state) => state.search);
  const exportCsv = useFeature('history', (state) => state.exportCsv);

  useEffect(() => {
    // Refreshes the last search each time the screen opens, since units finish meanwhile.
    void stores.history.getState().search(stores.history.getState().text);
  }, [stores]);

  return (
    <section className="screen" aria-labelledby="history-heading" data-testid="history-screen">
      <div className="screen-head">
        <h2 id="history-heading">{STRINGS.heading}</h2>
        <input
          type="search"
          className="history-search"
          data-testid="history-search"
          aria-label={STRINGS.search}
          placeholder={STRINGS.search}
          maxLength={200}
          value={text}
          onChange={(event) => void search(event.target.value)}
        />
        <button type="button" data-testid="history-export" disabled={exporting} onClick={() => void exportCsv()}>
          {exporting ? STRINGS.exporting : STRINGS.export}
        </button>
        {loaded && (
          <span className="screen-note" data-testid="history-count">
            {STRINGS.showing(entries.length, HISTORY_SHOWN)}
          </span>
        )}
      </div>
      <ListTable loaded={loaded} empty={entries.length === 0} emptyText={STRINGS.empty} emptyTestId="history-empty" headers={HEADERS}>
        {entries.map((entry) => (
          <HistoryRow key={entry.unitId} entry={entry} />
        ))}
      </ListTable>
    </section>
  );
}

const HEADERS = [
  STRINGS.columns.name,
  STRINGS.columns.hardwareId,
  STRINGS.columns.fingerprint,
  STRINGS.columns.result,
  STRINGS.columns.sync,
  STRINGS.columns.time,
  STRINGS.columns.station,
  STRINGS.columns.port,
];

function HistoryRow({ entry }: { entry: HistoryEntry }) {
  const result = entry.result ?? 'none';
  const reason = entry.reasonCode === null ? undefined : REASON_MESSAGES[entry.reasonCode].message;
  return (
    <tr data-testid="history-row" data-unit-id={entry.unitId} data-result={result} data-sync={entry.syncState}>
      <td data-testid="history-name">{entry.name}</td>
      <td className="mono">{entry.hardwareId}</td>
      <td className="mono">{entry.fingerprint ?? '—'}</td>
      <td className={`result-cell result-${result}`} data-testid="history-result" title={reason}>
        {entry.result !== null && <span aria-hidden="true">{entry.result === 'passed' ? '✔ ' : '✘ '}</span>}
        {STRINGS.results[result]}
      </td>
      <td data-testid="history-sync">{STRINGS.syncStates[entry.syncState]}</td>
      <td>
        <time dateTime={entry.time}>{formatTime(entry.time)}</time>
      </td>
      <td>{entry.stationId}</td>
      <td className="mono">{entry.port ?? '—'}</td>
    </tr>
  );
}
