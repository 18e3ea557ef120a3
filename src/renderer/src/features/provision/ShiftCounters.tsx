// The shift's counters: passed, failed and units per hour.
import { UI_STRINGS } from '../../../../shared/messages';
import { useFeature } from '../../app/context';

const STRINGS = UI_STRINGS.provision;

export function ShiftCounters() {
  const counters = useFeature('provision', (state) => state.counters);
  if (counters === undefined) {
    return null;
  }
  return (
    <dl className="shift-counters" aria-label={STRINGS.shiftLabel}>
      <div className="counter counter-pass">
        <dt>{STRINGS.passed}</dt>
        <dd data-testid="shift-passed">{counters.passed}</dd>
      </div>
      <div className="counter counter-fail">
        <dt>{STRINGS.failed}</dt>
        <dd data-testid="shift-failed">{counters.failed}</dd>
      </div>
      <div className="counter">
        <dt>{STRINGS.unitsPerHour}</dt>
        <dd data-testid="shift-units-per-hour">{Math.round(counters.unitsPerHour * 10) / 10}</dd>
      </div>
    </dl>
  );
}
