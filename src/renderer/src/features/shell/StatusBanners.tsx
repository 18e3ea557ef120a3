// Banners for a station that cannot work: services that did not start, or a runner not serving
// its ports.
import { REASON_MESSAGES, UI_STRINGS } from '../../../../shared/messages';
import { useFeature } from '../../app/context';

export function ServicesBanner() {
  const info = useFeature('shell', (state) => state.info);
  if (info === undefined || info.servicesReady) {
    return null;
  }
  return (
    <div className="banner banner-error" role="alert" data-testid="services-down">
      <strong>{UI_STRINGS.servicesDown}</strong> {info.reason ?? ''}
    </div>
  );
}

/** Says when the WebSocket to the station is down; calls fail until it is back. */
export function ConnectionBanner() {
  const connection = useFeature('shell', (state) => state.connection);
  if (connection === null || connection === 'open') {
    return null;
  }
  return (
    <div className={connection === 'connecting' ? 'banner banner-warning' : 'banner banner-error'} role="status" data-testid="connection-state" data-state={connection}>
      {UI_STRINGS.connection[connection]}
    </div>
  );
}

export function StationStateBanner() {
  const stationState = useFeature('shell', (state) => state.stationState);
  if (stationState === undefined || stationState.status === 'running') {
    return null;
  }

  const headline = {
    error: UI_STRINGS.station.notRunning,
    stopped: UI_STRINGS.station.stopped,
    'not-configured': UI_STRINGS.station.notConfigured,
  }[stationState.status];
  const reason = stationState.reasonCode === null ? undefined : REASON_MESSAGES[stationState.reasonCode];
  const detail = [reason?.message, stationState.reasonDetail, reason?.action].filter((part) => part !== undefined && part !== null);

  return (
    <div className="banner banner-warning" role="status" data-testid="station-state" data-status={stationState.status}>
      <strong>{headline}</strong> {detail.join('. ')}
    </div>
  );
}
