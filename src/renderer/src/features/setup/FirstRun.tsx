// The first-run screen: the setup form alone, until the station is set up.
import { UI_STRINGS } from '../../../../shared/messages';
import { SetupForm } from './SetupForm';

export function FirstRun() {
  return (
    <section className="screen" aria-labelledby="first-run-heading" data-testid="first-run">
      <div className="screen-head">
        <h2 id="first-run-heading">{UI_STRINGS.setup.firstRunHeading}</h2>
        <p className="screen-note">{UI_STRINGS.setup.firstRunIntro}</p>
      </div>
      <SetupForm firstRun />
    </section>
  );
}
