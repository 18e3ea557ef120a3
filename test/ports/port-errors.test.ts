// Open errors an operator meets on a real station, each with its own reason: a port the user
// may not open, and a port another program holds. Both run on real socat pty pairs.
import { spawn } from 'node:child_process';
import { chmodSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createPtyPair, isSocatAvailable } from '../../src/devkit/pty-pair';
import { openSerialLink } from '../../src/main/device/serial-link';
import { isStationError } from '../../src/shared/reasons';
import { useRig } from '../integration/rig';
import { useTempDir } from '../helpers/temp-dir';

const STATION_BIN = fileURLToPath(new URL('../../bin/station.js', import.meta.url));
const hasSocat = await isSocatAvailable();
const isRoot = process.getuid?.() === 0;
// The user that the permission test runs the command line as; 65534 is nobody on Debian.
const NOBODY = { uid: 65534, gid: 65534 };

function runAs(user: { uid: number; gid: number }, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [STATION_BIN, ...args], { ...user, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: '/tmp' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(!hasSocat)('port open errors', () => {
  const rig = useRig();
  const tempDir = useTempDir();

  it('second open reports port-busy', async () => {
    const device = await rig.device(tempDir(), 'busy');
    const first = await openSerialLink(device.stationPath);

    try {
      const second = await openSerialLink(device.stationPath).then(
        () => undefined,
        (error: unknown) => error,
      );
      if (!isStationError(second)) throw new Error(`expected a StationError, got ${String(second)}`);
      expect(second.code).toBe('port-busy');
    } finally {
      await first.close();
    }
  });

  // Only root can start the command line as nobody, so other users skip this test.
  it.skipIf(!isRoot)('unreadable port reports permission denied', async () => {
    const pair = await createPtyPair();
    const dir = tempDir();
    // The command line runs as nobody, which must be able to create the database here.
    chmodSync(dir, 0o777);
    chmodSync(realpathSync(pair.stationPath), 0o000);

    try {
      const run = await runAs(NOBODY, ['provision', '--port', pair.stationPath, '--db', join(dir, 'station.db'), '--json']);

      expect(run.code).toBe(1);
      expect(run.stderr).toContain('This user may not open the serial port');
      expect(run.stderr).toContain('dialout');
      const json = JSON.parse(run.stdout.trimEnd().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
      expect(json.reasonCode).toBe('port-permission-denied');
    } finally {
      await pair.close();
    }
  });
});
