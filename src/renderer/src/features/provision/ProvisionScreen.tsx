// The main screen: one card per port, the shift's counters and, when names are scanned, the
// scan input. On a QA station it is the QA screen, and each card shows its unit's checklist.
import { UI_STRINGS } from '../../../../shared/messages';
import type { StationSetup } from '../../../../shared/setup';
import { useFeature } from '../../app/context';
import { StationStateBanner } from '../shell/StatusBanners';
import { PortCard } from './PortCard';
import { ScanBox } from './ScanBox';
import { ShiftCounters } from './ShiftCounters';

const STRINGS = UI_STRINGS.provision;

export function ProvisionScreen() {
  const jobs = useFeature('provision', (state) => state.jobs);
  const loaded = useFeature('provision', (state) => state.loaded);
  const qa = useFeature('setup', (state) => state.saved?.mode === 'qa');
  const pattern = useFeature('setup', (state) => scanPattern(state.saved));
  const deviceMakesKey = useFeature('setup', (state) => state.saved?.credentialType === 'x509' && state.saved.x509Mode === 'device-csr');

  return (
    <section className="screen" aria-labelledby="provision-heading" data-testid="provision-screen">
      <div className="screen-head provision-head">
        <h2 id="provision-heading" className="visually-hidden">
          {qa ? UI_STRINGS.qa.heading : STRINGS.heading}
        </h2>
        <ShiftCounters />
        {pattern !== undefined && <ScanBox pattern={pattern} />}
      </div>
      <StationStateBanner />
      {loaded && jobs.length === 0 && (
        <p className="empty" data-testid="provision-empty">
          {STRINGS.noPorts}
        </p>
      )}
      <div className="port-grid">
        {jobs.map((job) => (
          <PortCard key={job.port} job={job} deviceMakesKey={deviceMakesKey} qa={qa} />
        ))}
      </div>
    </section>
  );
}

/** Returns the pattern of scanned names, or undefined when the station takes no scanned names. */
function scanPattern(setup: StationSetup | undefined): string | undefined {
  // A QA station identifies each unit by the hardware id its device reports.
  if (setup === undefined || setup.mode === 'qa' || setup.naming.mode !== 'scan') {
    return undefined;
  }
  return setup.naming.pattern;
}
