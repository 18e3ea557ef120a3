// dispatchCall is what both transports run for every call. Electron's IPC handlers pass the
// renderer's arguments straight to it (src/main/ipc.ts), so these cases are the IPC path's
// proof that invalid arguments never reach a handler.
import { describe, expect, it } from 'vitest';
import { dispatchCall } from '../../src/main/service/dispatch';
import { StationError } from '../../src/shared/reasons';
import { createSpyService, SPY_APP_INFO } from './spy-service';

describe('dispatchCall', () => {
  it('runs a valid call', async () => {
    const spy = createSpyService();

    const reply = await dispatchCall(spy.service, 'appInfo', []);

    expect(reply).toEqual({ ok: true, value: SPY_APP_INFO });
    expect(spy.calls).toEqual([{ name: 'appInfo', args: [] }]);
  });

  it('rejects bad arguments before any handler runs', async () => {
    const spy = createSpyService();
    const cases: Array<[string, unknown]> = [
      ['queueResolve', [12, 'delete-everything']],
      ['queueResolve', ['12', 'retry']],
      ['queueResolve', [12]],
      ['scanSerial', [42]],
      ['scanSerial', ['x'.repeat(257)]],
      ['supervisorUnlock', []],
      ['appInfo', [1]],
      ['historySearch', [{ text: 'a' }]],
      ['serverProfiles', [{ url: 'not a url', auth: 'password' }]],
      ['setupSave', ['not an object']],
      ['appInfo', undefined],
      ['appInfo', 'not an array'],
    ];

    for (const [name, args] of cases) {
      const reply = await dispatchCall(spy.service, name, args);
      expect(reply, `${name} ${JSON.stringify(args)}`).toMatchObject({ ok: false, code: 'invalid-call' });
    }
    expect(spy.calls).toEqual([]);
  });

  it('rejects unknown names before any handler runs', async () => {
    const spy = createSpyService();

    for (const name of ['dropDatabase', 'onEvent', 'close', 'constructor', 'toString', '__proto__', 42, null]) {
      const reply = await dispatchCall(spy.service, name, []);
      expect(reply, String(name)).toEqual({ ok: false, code: 'invalid-call', message: 'The station does not offer this function.' });
    }
    expect(spy.calls).toEqual([]);
  });

  it('returns a station error as its reason code', async () => {
    const spy = createSpyService({ scanSerial: () => Promise.reject(new StationError('settings-locked')) });

    const reply = await dispatchCall(spy.service, 'scanSerial', ['SN-1']);

    expect(reply).toMatchObject({ ok: false, code: 'settings-locked' });
  });

  it('hides the message of an unexpected error', async () => {
    const spy = createSpyService({ syncNow: () => Promise.reject(new Error('ENOENT /home/tech/secret/path')) });

    const reply = await dispatchCall(spy.service, 'syncNow', []);

    expect(reply).toMatchObject({ ok: false, code: 'internal' });
    expect(JSON.stringify(reply)).not.toContain('secret');
  });
});
