// One port's card: the unit on it, its steps (or its QA checklist), and a result readable
// across the bench.
import type { PortJob } from '../../../../shared/api';
import { UI_STRINGS } from '../../../../shared/messages';
import { ClockIcon } from '../../app/icons';
import { describeJob, stepName, type JobDescription } from './describe-job';
import { QaChecklist } from './QaChecklist';
import { stepViews, type StepStatus } from './steps';

const STRINGS = UI_STRINGS.provision;

const STEP_MARKS: Record<StepStatus, string> = { done: '✓', current: '▶', failed: '✗', pending: '○' };

/**
 * `qa` is true on a QA station: the card then shows the unit's checklist once its job ended,
 * instead of the provisioning steps, which a QA job does not go through.
 */
export function PortCard({ job, deviceMakesKey, qa }: { job: PortJob; deviceMakesKey: boolean; qa: boolean }) {
  const description = describeJob(job);
  const showsChecks = qa || job.workflow === 'qa';
  const headingId = `port-card-${job.port.replace(/[^A-Za-z0-9_-]/g, '_')}`;

  return (
    <article
      className={`port-card tone-${description.tone}`}
      data-testid="port-card"
      data-port={job.port}
      data-state={job.state}
      data-tone={description.tone}
      aria-labelledby={headingId}
    >
      <header className="port-card-head">
        <h3 id={headingId} data-testid="port-card-port">
          {job.port}
        </h3>
        <dl className="port-card-unit">
          <dt>{STRINGS.unit}</dt>
          <dd data-testid="port-card-unit">{job.unitName ?? STRINGS.noUnit}</dd>
          <dt>{STRINGS.hardwareId}</dt>
          <dd data-testid="port-card-hardware-id">{job.hardwareId ?? STRINGS.noUnit}</dd>
        </dl>
      </header>

      <Headline description={description} />

      {description.stepLabel !== null && (
        <p className="port-card-step" data-testid="port-card-step">
          {description.stepLabel}
        </p>
      )}
      {description.progressPercent !== null && (
        <div className="port-card-progress">
          <progress data-testid="port-card-progress" max={100} value={description.progressPercent} aria-label={STRINGS.progress(description.progressPercent)} />
          <span>{STRINGS.progress(description.progressPercent)}</span>
        </div>
      )}
      {description.reasonText !== null && (
        <p className="port-card-reason" data-testid="port-card-reason">
          {description.reasonText}
        </p>
      )}
      {description.actionText !== null && (
        <p className="port-card-action" data-testid="port-card-action">
          {description.actionText}
        </p>
      )}
      {description.note !== null && (
        <p className="port-card-note" data-testid="port-card-note">
          {description.note}
        </p>
      )}
      {job.resumed && job.state !== 'done' && <p className="port-card-note">{STRINGS.resumedJob}</p>}
      {job.identityWarning !== null && (
        <p className="port-card-warning" data-testid="port-card-identity-warning">
          <span aria-hidden="true">⚠ </span>
          {STRINGS.identityWarning(job.identityWarning)}
        </p>
      )}

      {!showsChecks && <StepList job={job} deviceMakesKey={deviceMakesKey} />}
      {showsChecks && job.checks !== null && <QaChecklist checks={job.checks} />}
    </article>
  );
}

function StepList({ job, deviceMakesKey }: { job: PortJob; deviceMakesKey: boolean }) {
  return (
    <ol className="step-list" aria-label={STRINGS.stepsLabel} data-testid="port-card-steps">
      {stepViews(job, deviceMakesKey).map(({ step, status }) => (
        <li key={step} className={`step step-${status}`} data-step={step} data-status={status} aria-current={status === 'current' ? 'step' : undefined}>
          <span className="step-mark" aria-hidden="true">
            {STEP_MARKS[status]}
          </span>
          {stepName(step)}
          <span className="visually-hidden">, {STRINGS.stepState[status]}</span>
        </li>
      ))}
    </ol>
  );
}

const RESULT_MARKS = { passed: '✔', failed: '✘' } as const;

/**
 * PASS, FAIL and QA pending server check carry an icon and words as well as the colour, so
 * they read without colour.
 */
function Headline({ description }: { description: JobDescription }) {
  const { tone, headline, result } = description;
  if (result !== null) {
    return (
      <p className={`port-card-result result-${tone}`} data-testid="port-card-result" data-result={result} role="status">
        <span className="result-icon" aria-hidden="true">
          {result === 'pending' ? <ClockIcon /> : RESULT_MARKS[result]}
        </span>
        {headline}
      </p>
    );
  }
  return (
    <p className={`port-card-status status-${tone}`} data-testid="port-card-status" role="status">
      {tone === 'waiting' && <ClockIcon />}
      {headline}
    </p>
  );
}
