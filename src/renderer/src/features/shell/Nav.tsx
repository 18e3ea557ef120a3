// The screen switcher: one button per screen, reachable with Tab and Enter. On a QA station the
// provisioning screen's button reads QA, because that screen then shows the QA checks.
import { UI_STRINGS } from '../../../../shared/messages';
import { useFeature } from '../../app/context';
import { VIEWS } from './store';

export function Nav() {
  const view = useFeature('shell', (state) => state.view);
  const setView = useFeature('shell', (state) => state.setView);
  const qa = useFeature('setup', (state) => state.saved?.mode === 'qa');

  return (
    <nav className="nav" aria-label={UI_STRINGS.nav.label}>
      {VIEWS.map((each) => (
        <button
          type="button"
          key={each}
          className="nav-button"
          data-testid={`nav-${each}`}
          aria-current={each === view ? 'page' : undefined}
          onClick={() => setView(each)}
        >
          {qa && each === 'provision' ? UI_STRINGS.nav.qa : UI_STRINGS.nav[each]}
        </button>
      ))}
    </nav>
  );
}
