// Settings: the setup form behind the supervisor PIN once one is set.
import { UI_STRINGS } from '../../../../shared/messages';
import { useFeature } from '../../app/context';
import { LockIcon } from '../../app/icons';
import { SetupForm } from '../setup/SetupForm';
import { PinPrompt } from './PinPrompt';

const STRINGS = UI_STRINGS.settings;

export function SettingsScreen() {
  const pinSet = useFeature('setup', (state) => state.saved?.pinSet === true);
  const unlocked = useFeature('supervisor', (state) => state.unlocked);
  const lockedBySave = useFeature('supervisor', (state) => state.lockedBySave);
  const lock = useFeature('supervisor', (state) => state.lock);
  const version = useFeature('shell', (state) => state.info?.version);

  const locked = (pinSet && !unlocked) || lockedBySave;

  return (
    <section className="screen" aria-labelledby="settings-heading" data-testid="settings-screen">
      <div className="screen-head">
        <h2 id="settings-heading">{STRINGS.heading}</h2>
        {pinSet && !locked && (
          <button type="button" data-testid="settings-lock" onClick={() => void lock()}>
            <LockIcon /> {STRINGS.lock}
          </button>
        )}
        {version !== undefined && <span className="screen-note">{UI_STRINGS.version(version)}</span>}
      </div>
      {locked ? <PinPrompt /> : <SetupForm firstRun={false} />}
    </section>
  );
}
