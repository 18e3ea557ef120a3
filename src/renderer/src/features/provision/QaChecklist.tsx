// A QA unit's checklist on its card: one row per check with its verdict as an icon and a word,
// so a verdict reads without colour, and the reason and action of a failed or deferred check.
import type { ReactNode } from 'react';
import { UI_STRINGS } from '../../../../shared/messages';
import type { QaCheckResult } from '../../../../shared/qa';
import { ClockIcon } from '../../app/icons';
import { describeChecks } from './describe-checks';

const VERDICT_MARKS: Record<string, ReactNode> = {
  passed: '✔',
  failed: '✘',
  deferred: <ClockIcon />,
  'not-applicable': '–',
  'not-run': '○',
};

export function QaChecklist({ checks }: { checks: readonly QaCheckResult[] }) {
  return (
    <ol className="check-list" aria-label={UI_STRINGS.qa.checksLabel} data-testid="port-card-checks">
      {describeChecks(checks).map((row) => (
        <li key={row.check} className={`check check-${row.verdict}`} data-testid="qa-check" data-check={row.check} data-verdict={row.verdict}>
          <span className="check-name" data-testid="qa-check-name">
            {row.name}
          </span>
          <span className="check-verdict" data-testid="qa-check-verdict">
            <span className="check-mark" aria-hidden="true">
              {VERDICT_MARKS[row.verdict] ?? '?'}
            </span>
            {row.verdictText}
          </span>
          {row.reasonText !== null && (
            <p className="check-reason" data-testid="qa-check-reason">
              {row.reasonText}
            </p>
          )}
          {row.actionText !== null && (
            <p className="check-action" data-testid="qa-check-action">
              {row.actionText}
            </p>
          )}
        </li>
      ))}
    </ol>
  );
}
