// The supervisor lock's events: the renderer shows or hides the settings by them, so every
// change of the lock state must be reported, the first PIN included.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Supervisor } from '../../src/main/service/supervisor';
import { Store } from '../../src/main/store/store';
import { useTempDir } from '../helpers/temp-dir';

const tempDir = useTempDir();
const stores: Store[] = [];

afterEach(() => {
  for (const store of stores.splice(0)) {
    store.close();
  }
});

function openSupervisor(): { supervisor: Supervisor; changes: boolean[] } {
  const store = new Store(join(tempDir(), 'station.db'));
  stores.push(store);
  const changes: boolean[] = [];
  const supervisor = new Supervisor(store, (unlocked) => changes.push(unlocked));
  return { supervisor, changes };
}

describe('supervisor lock', () => {
  it('reports the lock when the first PIN is set', () => {
    const { supervisor, changes } = openSupervisor();
    expect(supervisor.unlocked).toBe(true);

    supervisor.setPin('2468');

    expect(supervisor.unlocked).toBe(false);
    expect(changes).toEqual([false]);
    supervisor.dispose();
  });

  it('stays unlocked when the PIN changes while unlocked', () => {
    const { supervisor, changes } = openSupervisor();
    supervisor.setPin('2468');
    supervisor.unlock('2468');

    supervisor.setPin('1357');

    expect(supervisor.unlocked).toBe(true);
    expect(changes).toEqual([false, true]);
    supervisor.dispose();
  });
});
