// The alert region: rejected calls' messages stay here until the user dismisses them.
import { UI_STRINGS } from '../../../../shared/messages';
import { useFeature } from '../../app/context';

export function AlertRegion() {
  const alerts = useFeature('alerts', (state) => state.alerts);
  const dismiss = useFeature('alerts', (state) => state.dismiss);

  return (
    <div className="alert-region" role="alert" aria-label={UI_STRINGS.alerts.label} data-testid="alert-region">
      {alerts.map((alert) => (
        <div className="alert" key={alert.id} data-testid="alert">
          <span className="alert-icon" aria-hidden="true">
            ⚠
          </span>
          <span className="alert-text" data-testid="alert-text">
            {alert.text}
          </span>
          <button type="button" className="alert-dismiss" data-testid="alert-dismiss" onClick={() => dismiss(alert.id)}>
            {UI_STRINGS.alerts.dismiss}
          </button>
        </div>
      ))}
    </div>
  );
}
