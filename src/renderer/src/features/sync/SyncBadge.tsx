// The header badge: queued and parked uploads, the last sync, and whether sync can run at all.
import { UI_STRINGS } from '../../../../shared/messages';
import { useFeature } from '../../app/context';
import { formatTime } from '../../app/format';

const STRINGS = UI_STRINGS.header;

export function SyncBadge() {
  const status = useFeature('sync', (state) => state.status);
  if (status === undefined) {
    return null;
  }

  const lastSync = status.lastContactAt === null ? STRINGS.neverSynced : STRINGS.lastSync(formatTime(status.lastContactAt));
  const details = [STRINGS.held(status.held), status.lastError === null ? null : STRINGS.lastError(status.lastError)];

  return (
    <div className="sync-badge" role="status" aria-label={STRINGS.label} title={details.filter((line) => line !== null).join('\n')}>
      {!status.serverConfigured && (
        <span className="badge badge-offline" data-testid="header-offline">
          {STRINGS.offline}
        </span>
      )}
      {status.needsSignIn !== null && (
        <span className="badge badge-warning" data-testid="header-needs-sign-in" title={STRINGS.needsSignInDetail(status.needsSignIn)}>
          {STRINGS.needsSignIn}
        </span>
      )}
      <span className="badge" data-testid="header-queued" data-count={status.queued}>
        {STRINGS.queued(status.queued)}
      </span>
      <span className={status.parked > 0 ? 'badge badge-warning' : 'badge'} data-testid="header-parked" data-count={status.parked}>
        {STRINGS.parked(status.parked)}
      </span>
      <span className="badge badge-quiet" data-testid="header-last-sync" data-time={status.lastContactAt ?? ''}>
        {lastSync}
      </span>
    </div>
  );
}
