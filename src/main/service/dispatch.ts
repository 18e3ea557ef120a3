// Runs one StationApi call for a transport: checks the call's name and arguments against the
// contract before any handler runs, and turns the outcome into a CallReply. Errors without a
// reason code are logged and reach the renderer as 'internal' with no detail, because their
// messages may carry paths or values the operator should not see.
import { CALL_ARGUMENTS, type CallName, type CallReply, type StationCalls } from '../../shared/api';
import { describeReason } from '../../shared/messages';
import { isStationError } from '../../shared/reasons';
import { getLogger } from '../log';

const log = getLogger('api');

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.hasOwn(CALL_ARGUMENTS, name);
}

export async function dispatchCall(service: StationCalls, name: unknown, args: unknown): Promise<CallReply> {
  if (!isCallName(name)) {
    log.warn({ call: String(name).slice(0, 64) }, 'rejected a call to an unknown function');
    return { ok: false, code: 'invalid-call', message: 'The station does not offer this function.' };
  }
  const parsed = CALL_ARGUMENTS[name].safeParse(args);
  if (!parsed.success) {
    log.warn({ call: name, issues: parsed.error.issues.map((issue) => issue.path.join('.')) }, 'rejected a call with invalid arguments');
    return { ok: false, code: 'invalid-call', message: `The arguments of ${name} are invalid.` };
  }

  try {
    const handlers = service as unknown as Record<CallName, (...values: unknown[]) => Promise<unknown>>;
    const value = await handlers[name](...(parsed.data as unknown[]));
    return { ok: true, value };
  } catch (error) {
    if (isStationError(error)) {
      return { ok: false, code: error.code, message: describeReason(error.code, error.detail) };
    }
    log.error({ call: name, err: error }, 'a call failed unexpectedly');
    return { ok: false, code: 'internal', message: describeReason('internal') };
  }
}
