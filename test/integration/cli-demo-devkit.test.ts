// The README's run command and the devkit commands, run as an operator or firmware engineer would.
import { spawn } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createPtyPair, type PtyPair } from '../../src/devkit/pty-pair';
import { runStation } from '../helpers/run-station';
import { useTempDir } from '../helpers/temp-dir';

const tempDir = useTempDir();
const STATION_BIN = fileURLToPath(new URL('../../bin/station.js', import.meta.url));
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** Starts a long-running station command and resolves once its stdout matches `ready`. */
function startLongRunning(args: string[], ready: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [STATION_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    stops.push(async () => {
      child.kill('SIGINT');
      await exited;
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = stdout.match(ready);
      if (match !== null) resolve(match);
    });
    child.once('exit', (code) => reject(new Error(`station ${args.join(' ')} exited with ${String(code)}: ${stderr}`)));
  });
}

describe('station demo', () => {
  it('provisions and syncs every unit over pty pairs', async () => {
    const run = await runStation(['demo', '--units', '2'], { timeoutMs: 90_000 });

    expect(run.code, run.stderr).toBe(0);
    // Two PASS lines for provisioning and two for QA.
    expect(run.stdout.match(/PASS/g)).toHaveLength(4);
    expect(run.stdout).toContain('synced 2, queued 0, parked 0');
    expect(run.stdout.match(/PASS {2}\S+ \(4 checks passed\)/g)).toHaveLength(2);
    expect(run.stdout).toContain('All 2 unit(s) provisioned, verified, registered on the server and passed QA.');
  });

  it('falls back to in-process devices when socat is missing', async () => {
    // A PATH with only Node.js on it: no socat, as on a machine where it is not installed.
    const bin = tempDir();
    symlinkSync(process.execPath, join(bin, 'node'));
    const run = await runStation(['demo', '--units', '1'], { env: { PATH: bin }, timeoutMs: 90_000 });

    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('socat is not available');
    expect(run.stdout).toContain('virtual:demo-1');
    expect(run.stdout).toContain('All 1 unit(s) provisioned, verified, registered on the server and passed QA.');
  });
});

describe('station devkit', () => {
  it('serves a simulated device and the stand-in that provision and sync use', async () => {
    const dir = tempDir();
    const pair: PtyPair = await createPtyPair();
    stops.push(() => pair.close());
    await startLongRunning(
      ['devkit', 'device', '--serial', pair.devicePath, '--state', join(dir, 'device.json'), '--hardware-id', 'CLI-1', '--model', 'GW-9', '--max-frame-size', '300', '--fault', 'boot-noise'],
      /Simulated device serving/,
    );
    const [, url] = await startLongRunning(['devkit', 'server', '--port', '0'], /listening on (http:\/\/127\.0\.0\.1:\d+)/);

    const run = await runStation([
      'provision', '--port', pair.stationPath, '--db', join(dir, 'station.db'),
      '--server', url ?? '', '--username', 'tenant@thingsboard.org', '--password', 'tenant', '--json',
    ]);

    expect(run.code, run.stderr).toBe(0);
    expect(run.json).toMatchObject({ name: 'GW-9-CLI-1', hardwareId: 'CLI-1', result: 'passed', synced: true });
  });

  it('rejects an unknown fault flag', async () => {
    const run = await runStation(['devkit', 'device', '--serial', '/dev/null', '--state', join(tempDir(), 's.json'), '--fault', 'explode']);

    expect(run.code).not.toBe(0);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('explode');
  });
});
