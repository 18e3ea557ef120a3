// Finishes QA runs that waited for the server. The server check runs from the station's record
// alone. The live-connection check completes once the server has recorded activity from the
// device since the QA run, such as its first connection in the field; until then the run stays
// "QA pending server check". Results that did not reach the server attributes are written.
import { qaResultOf, type QaCheckResult } from '../../shared/qa';
import { getLogger } from '../log';
import { QaRepository, type QaRun } from '../store/qa-repository';
import type { Store } from '../store/store';
import type { ThingsboardClient } from '../thingsboard/client';
import { expectedFromStation } from './expected-unit';
import { checkServerDevice, confirmActivity, writeQaAttributes } from './server-checks';

const log = getLogger('qa');

export interface QaCompletionSummary {
  completed: number;
  stillPending: number;
}

export async function completePendingQa(store: Store, client: ThingsboardClient): Promise<QaCompletionSummary> {
  const repository = new QaRepository(store.database);
  const summary: QaCompletionSummary = { completed: 0, stillPending: 0 };

  for (const run of repository.unfinished()) {
    const checks = run.result === 'pending' ? await finishDeferred(store, client, run) : { checks: run.checks, deviceId: run.serverDeviceId };
    const result = qaResultOf(checks.checks);
    const deviceId = checks.deviceId;
    const serverWritten =
      deviceId !== null &&
      (await writeQaAttributes(client, deviceId, {
        result,
        time: new Date(run.startedAt).toISOString(),
        station: store.stationId(),
        operator: run.operator,
        failedChecks: checks.checks.filter((check) => check.verdict === 'failed').map((check) => check.check),
      }));
    repository.update(run.id, { result, checks: checks.checks, serverDeviceId: deviceId, serverWritten });

    if (result === 'pending') {
      summary.stillPending += 1;
    } else if (run.result === 'pending') {
      summary.completed += 1;
      log.info({ runId: run.id, unit: run.unitName, result }, 'deferred QA checks completed');
    }
  }
  return summary;
}

async function finishDeferred(store: Store, client: ThingsboardClient, run: QaRun): Promise<{ checks: QaCheckResult[]; deviceId: string | null }> {
  const expected = run.unitName === null ? undefined : safeExpected(store, run);
  if (expected === undefined) {
    // Without the station's record the unit must be identified at the bench again.
    return { checks: run.checks, deviceId: run.serverDeviceId };
  }

  let deviceId = run.serverDeviceId;
  const checks: QaCheckResult[] = [];
  for (const check of run.checks) {
    if (check.verdict !== 'deferred') {
      checks.push(check);
      continue;
    }
    if (check.check === 'server') {
      const server = await checkServerDevice(client, expected);
      deviceId = server.deviceId ?? deviceId;
      checks.push({ check: 'server', verdict: server.verdict, reasonCode: server.reasonCode, detail: server.detail });
    } else if (check.check === 'live-connection' && deviceId !== null) {
      const activity = await confirmActivity(client, deviceId, run.startedAt, 0);
      // No activity yet only means the unit has not connected since QA: the check keeps waiting.
      checks.push(
        activity.verdict === 'failed'
          ? { ...check, detail: "waiting for the unit's first connection to the server" }
          : { check: 'live-connection', verdict: activity.verdict, reasonCode: activity.reasonCode, detail: activity.detail },
      );
    } else {
      checks.push(check);
    }
  }
  return { checks, deviceId };
}

function safeExpected(store: Store, run: QaRun): ReturnType<typeof expectedFromStation> {
  try {
    return expectedFromStation(store, run.hardwareId, {});
  } catch {
    return undefined;
  }
}
