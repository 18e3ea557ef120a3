// The queue: uploads waiting for their unit, for the server, or parked for an operator.
import { useEffect, useState } from 'react';
import type { QueueEntry, QueueResolution } from '../../../../shared/api';
import { UI_STRINGS } from '../../../../shared/messages';
import { useFeature } from '../../app/context';
import { formatTime } from '../../app/format';
import { ListTable } from '../../app/ListTable';

const STRINGS = UI_STRINGS.queue;

export function QueueScreen() {
  const entries = useFeature('queue', (state) => state.entries);
  const loaded = useFeature('queue', (state) => state.loaded);
  const syncing = useFeature('queue', (state) => state.syncing);
  const load = useFeature('queue', (state) => state.load);
  const syncNow = useFeature('queue', (state) => state.syncNow);
  // The list changes whenever sync moves an upload, which the sync status counts show.
  const counts = useFeature('sync', (state) => (state.status === undefined ? '' : `${state.status.held}/${state.status.queued}/${state.status.parked}/${state.status.synced}`));

  useEffect(() => {
    void load();
  }, [load, counts]);

  return (
    <section className="screen" aria-labelledby="queue-heading" data-testid="queue-screen">
      <div className="screen-head">
        <h2 id="queue-heading">{STRINGS.heading}</h2>
        <button type="button" className="primary" data-testid="queue-sync-now" disabled={syncing} onClick={() => void syncNow()}>
          {syncing ? STRINGS.syncing : STRINGS.syncNow}
        </button>
      </div>
      <ListTable loaded={loaded} empty={entries.length === 0} emptyText={STRINGS.empty} emptyTestId="queue-empty" headers={HEADERS}>
        {entries.map((entry) => (
          <QueueRow key={entry.id} entry={entry} />
        ))}
      </ListTable>
    </section>
  );
}

const HEADERS = [
  STRINGS.columns.unit,
  STRINGS.columns.hardwareId,
  STRINGS.columns.credential,
  STRINGS.columns.state,
  STRINGS.columns.step,
  STRINGS.columns.attempts,
  STRINGS.columns.reason,
  STRINGS.columns.actions,
];

/** Resolutions that change a credential on the server or the unit, so they ask once more. */
type ConfirmedResolution = keyof typeof STRINGS.confirm;
const NEEDS_CONFIRMATION: ReadonlySet<QueueResolution> = new Set<QueueResolution>(['overwrite', 'reprovision']);

function needsConfirmation(resolution: QueueResolution): resolution is ConfirmedResolution {
  return NEEDS_CONFIRMATION.has(resolution);
}

function QueueRow({ entry }: { entry: QueueEntry }) {
  const resolve = useFeature('queue', (state) => state.resolve);
  const resolving = useFeature('queue', (state) => state.resolvingId === entry.id);
  const [confirming, setConfirming] = useState<ConfirmedResolution | null>(null);

  let reason = entry.reason;
  if (entry.state === 'held') {
    reason = STRINGS.heldExplained;
  } else if (reason === null && entry.nextAttemptAt !== null) {
    reason = STRINGS.nextAttempt(formatTime(entry.nextAttemptAt));
  }

  return (
    <tr data-testid="queue-row" data-id={entry.id} data-state={entry.state} className={`queue-${entry.state}`}>
      <td data-testid="queue-unit">{entry.unitName}</td>
      <td className="mono">{entry.hardwareId}</td>
      <td>{UI_STRINGS.setup.credentialTypes[entry.credentialType]}</td>
      <td data-testid="queue-state">
        {entry.state === 'parked' && <span aria-hidden="true">⚠ </span>}
        {STRINGS.states[entry.state]}
      </td>
      <td>{entry.step}</td>
      <td>{entry.attempts}</td>
      <td data-testid="queue-reason">{reason}</td>
      <td>
        {confirming === null ? (
          <div className="actions">
            {entry.resolutions.map((resolution) => (
              <button
                type="button"
                key={resolution}
                data-testid={`queue-resolve-${resolution}`}
                title={STRINGS.resolutionHelp[resolution]}
                disabled={resolving}
                onClick={() => (needsConfirmation(resolution) ? setConfirming(resolution) : void resolve(entry.id, resolution))}
              >
                {STRINGS.resolutions[resolution]}
              </button>
            ))}
          </div>
        ) : (
          <div className="actions" role="group" aria-label={STRINGS.confirmLabel}>
            <span data-testid="queue-confirm-text">{STRINGS.confirm[confirming](entry.unitName)}</span>
            <button
              type="button"
              data-testid="queue-confirm"
              disabled={resolving}
              onClick={() => {
                setConfirming(null);
                void resolve(entry.id, confirming);
              }}
            >
              {STRINGS.confirmButton}
            </button>
            <button type="button" data-testid="queue-cancel" onClick={() => setConfirming(null)}>
              {STRINGS.cancelButton}
            </button>
          </div>
        )}
      </td>
    </tr>
  );
}
