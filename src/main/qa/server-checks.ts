// The QA checks that ask ThingsBoard: the device exists by name with the expected credentials,
// and the server recorded the device's connection (the lastActivityTime server attribute).
// A server that cannot be reached defers a check instead of failing it.
import type { QaCheckResult, QaResult } from '../../shared/qa';
import { isStationError, type ReasonCode } from '../../shared/reasons';
import { getLogger } from '../log';
import { thingsboardCredentialsId } from '../credentials/x509/pem';
import { credentialsMatch, type ThingsboardClient } from '../thingsboard/client';
import type { ExpectedUnit } from './expected-unit';

const log = getLogger('qa');

/** Reason codes meaning the server could not be asked, so the check waits. */
const UNREACHABLE: ReadonlySet<ReasonCode> = new Set(['server-unreachable', 'server-error', 'server-rate-limited']);

/** Allowance for the server recording a connection slightly before the station's start time. */
const ACTIVITY_SLACK_MS = 2000;
const ACTIVITY_POLL_MS = 250;

export interface ServerCheck {
  verdict: QaCheckResult['verdict'];
  reasonCode: ReasonCode | null;
  detail: string | null;
  deviceId: string | null;
}

export async function checkServerDevice(client: ThingsboardClient, expected: ExpectedUnit): Promise<ServerCheck> {
  try {
    const device = await client.getDeviceByName(expected.name);
    if (device === null) {
      return { verdict: 'failed', reasonCode: 'qa-server-device-missing', detail: `no device named "${expected.name}"`, deviceId: null };
    }
    const deviceId = device.id.id;
    if (expected.serverCredentials === undefined) {
      // The expectation came from the server itself, so the stored-credential check compared the device with it.
      return { verdict: 'passed', reasonCode: null, detail: 'the device exists; its credentials are the record QA compared the device with', deviceId };
    }

    const held = await client.getDeviceCredentials(deviceId);
    if (!credentialsMatch(expected.serverCredentials, held)) {
      return { verdict: 'failed', reasonCode: 'qa-server-credential-mismatch', detail: `the server holds other ${held.credentialsType} credentials`, deviceId };
    }
    if (expected.x509 !== undefined) {
      const predicted = thingsboardCredentialsId(expected.x509.certificatePem);
      if (held.credentialsId !== predicted) {
        return { verdict: 'failed', reasonCode: 'qa-server-credential-mismatch', detail: `server credentialsId ${String(held.credentialsId)}, predicted ${predicted}`, deviceId };
      }
      return { verdict: 'passed', reasonCode: null, detail: `credentialsId ${predicted} as predicted`, deviceId };
    }
    return { verdict: 'passed', reasonCode: null, detail: `${held.credentialsType} credentials match`, deviceId };
  } catch (error) {
    return { ...serverFailure(error), deviceId: null };
  }
}

/** Waits until the server's lastActivityTime for the device is at or after `since`. */
export async function confirmActivity(client: ThingsboardClient, deviceId: string, since: number, timeoutMs: number): Promise<Omit<ServerCheck, 'deviceId'>> {
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const attributes = await client.getServerAttributes(deviceId, ['lastActivityTime', 'active']);
      const last = Number(attributes.find((attribute) => attribute.key === 'lastActivityTime')?.value ?? 0);
      if (last >= since - ACTIVITY_SLACK_MS) {
        return { verdict: 'passed', reasonCode: null, detail: `the server saw the device at ${new Date(last).toISOString()}` };
      }
      if (Date.now() >= deadline) {
        const seen = last > 0 ? `last seen ${new Date(last).toISOString()}` : 'never seen';
        return { verdict: 'failed', reasonCode: 'qa-no-server-activity', detail: `the device reported a connection, but the server has not recorded it (${seen})` };
      }
      await new Promise((resolve) => setTimeout(resolve, ACTIVITY_POLL_MS));
    }
  } catch (error) {
    return serverFailure(error);
  }
}

export interface QaAttributes {
  result: QaResult;
  time: string;
  station: string;
  operator: string;
  failedChecks: string[];
}

/**
 * Writes the QA result as string server attributes; returns false when the server cannot take
 * them now. NOTE: ThingsBoard stores a string that reads as a number as a number, so an
 * operator id such as "0042" arrives as 42.
 */
export async function writeQaAttributes(client: ThingsboardClient, deviceId: string, qa: QaAttributes): Promise<boolean> {
  try {
    await client.saveServerAttributes(deviceId, {
      qaResult: qa.result,
      qaTime: qa.time,
      qaStation: qa.station,
      qaOperator: qa.operator,
      qaFailedChecks: qa.failedChecks.join(','),
    });
    return true;
  } catch (error) {
    log.warn({ deviceId, err: error }, 'QA result not written to the server; it is written when the server is reachable');
    return false;
  }
}

function serverFailure(error: unknown): Omit<ServerCheck, 'deviceId'> {
  if (isStationError(error) && UNREACHABLE.has(error.code)) {
    return { verdict: 'deferred', reasonCode: 'qa-server-unreachable', detail: error.detail ?? null };
  }
  if (isStationError(error)) {
    return { verdict: 'failed', reasonCode: error.code, detail: error.detail ?? null };
  }
  log.error({ err: error }, 'unexpected error in a QA server check');
  return { verdict: 'failed', reasonCode: 'internal', detail: null };
}
