// A StationApi stand-in for transport tests: every handler records its call before it returns a
// canned value, so a test can prove that a rejected call never reached a handler.
import { CALL_NAMES, type AppInfo, type CallName, type StationApi, type StationCalls, type StationEvent } from '../../src/shared/api';

export interface SpyService {
  service: StationApi;
  /** Every handler call, in order. */
  calls: Array<{ name: CallName; args: unknown[] }>;
  /** Sends an event to every onEvent listener, as the real service does. */
  emit(event: StationEvent): void;
  listenerCount(): number;
}

export const SPY_APP_INFO: AppInfo = { name: 'provisioning-station', version: '9.8.7-spy', servicesReady: true, transport: 'websocket' };

export function createSpyService(overrides: Partial<Record<CallName, (...args: unknown[]) => Promise<unknown>>> = {}): SpyService {
  const calls: SpyService['calls'] = [];
  const listeners = new Set<(event: StationEvent) => void>();

  const handlers = Object.fromEntries(
    CALL_NAMES.map((name) => [
      name,
      (...args: unknown[]): Promise<unknown> => {
        calls.push({ name, args });
        const override = overrides[name];
        if (override !== undefined) {
          return override(...args);
        }
        return Promise.resolve(name === 'appInfo' ? SPY_APP_INFO : null);
      },
    ]),
  ) as unknown as StationCalls;

  const service: StationApi = {
    ...handlers,
    onEvent(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };

  return {
    service,
    calls,
    emit: (event) => {
      for (const listener of listeners) {
        listener(event);
      }
    },
    listenerCount: () => listeners.size,
  };
}
