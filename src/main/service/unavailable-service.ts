// The service the desktop app offers when the station services could not start (a database
// that does not open, a missing data key): appInfo says why, and every other call fails with
// the same reason, so the window can show it instead of going blank.
import { CALL_NAMES, type StationCalls } from '../../shared/api';
import { StationError } from '../../shared/reasons';
import type { StationService } from './station-service';

export function unavailableService(name: string, version: string, reason: string): StationService {
  const failing = Object.fromEntries(
    CALL_NAMES.map((call) => [call, () => Promise.reject(new StationError('store-failed', 'the station services did not start'))]),
  ) as unknown as StationCalls;
  return {
    ...failing,
    appInfo: () => Promise.resolve({ name, version, servicesReady: false, reason, transport: 'ipc' }),
    onEvent: () => () => undefined,
    close: () => Promise.resolve(),
  };
}
