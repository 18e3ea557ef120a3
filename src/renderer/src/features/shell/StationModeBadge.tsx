// The header's badge with the station's mode, so a QA station cannot be mistaken for a
// provisioning one from across the bench.
import { UI_STRINGS } from '../../../../shared/messages';
import { useFeature } from '../../app/context';

export function StationModeBadge() {
  const mode = useFeature('setup', (state) => state.saved?.mode);
  if (mode === undefined) {
    return null;
  }
  return (
    <span className={`badge mode-badge mode-${mode}`} data-testid="header-mode" data-mode={mode}>
      {UI_STRINGS.header.modes[mode]}
    </span>
  );
}
