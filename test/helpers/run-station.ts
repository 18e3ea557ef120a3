import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const STATION_BIN = fileURLToPath(new URL('../../bin/station.js', import.meta.url));

export interface StationRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The --json object: the last line of stdout, parsed; undefined when there is none. */
  json: Record<string, unknown> | undefined;
}

/** Runs the real `station` command line as a child process, the way an operator would. */
export function runStation(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<StationRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [STATION_BIN, ...args], {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`station ${args[0] ?? ''} did not finish within ${options.timeoutMs ?? 60_000} ms; stderr: ${stderr}`));
    }, options.timeoutMs ?? 60_000);

    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const lastLine = stdout.trimEnd().split('\n').at(-1) ?? '';
      let json: Record<string, unknown> | undefined;
      try {
        json = lastLine.startsWith('{') ? (JSON.parse(lastLine) as Record<string, unknown>) : undefined;
      } catch {
        json = undefined;
      }
      resolve({ code, stdout, stderr, json });
    });
  });
}
