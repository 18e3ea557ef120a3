// `station demo --parallel` as a user runs it: several simulated devices provisioned at once,
// then synced and compared with the server.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const STATION_BIN = fileURLToPath(new URL('../../bin/station.js', import.meta.url));

function runDemo(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [STATION_BIN, 'demo', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('station demo --parallel', () => {
  it('provisions every unit at once', async () => {
    const run = await runDemo(['--units', '4', '--parallel']);

    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('all at once, one job per port');
    const provisioning = run.stdout.slice(0, run.stdout.indexOf('Step 2'));
    expect(provisioning.match(/^ {2}PASS /gm)).toHaveLength(4);
    expect(run.stdout).toContain('Provisioned 4 unit(s) in');
    expect(run.stdout).toContain('synced 4, queued 0, parked 0');
    expect(run.stdout).toContain('All 4 unit(s) provisioned, verified, registered on the server and passed QA.');
  }, 90_000);
});
