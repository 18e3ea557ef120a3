// Runs the real `station` command line (node bin/station.js) as a child process, optionally
// killing it with SIGKILL after a delay, as a crash would. NOTE: a SIGKILL does not lose what
// the kernel has not yet written to disk, so it does not show what a power cut would lose.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const STATION_BIN = fileURLToPath(new URL('../../bin/station.js', import.meta.url));

export interface StationRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the SIGKILL of `killAfterMs` (or of the time limit) ended the process. */
  killed: boolean;
  timedOut: boolean;
  durationMs: number;
  stdout: string;
  stderr: string;
  /** The --json object: the last line of stdout, parsed; undefined when there is none. */
  json: Record<string, unknown> | undefined;
}

export interface StationRunOptions {
  /** Sends SIGKILL this many milliseconds after the spawn. */
  killAfterMs?: number;
  /** Sends SIGKILL after this many milliseconds and marks the run as timed out. */
  timeLimitMs: number;
}

/** Processes still running, so an interrupted harness can kill them. */
const running = new Set<ChildProcess>();
let stopped = false;

/**
 * Kills every running station process, and makes runStation reject from now on, so that no
 * new process writes into a temp folder that is being removed.
 */
export function stopStations(): void {
  stopped = true;
  for (const child of running) {
    child.kill('SIGKILL');
  }
}

export function runStation(args: string[], options: StationRunOptions): Promise<StationRun> {
  return new Promise((resolve, reject) => {
    if (stopped) {
      reject(new Error('station processes were stopped'));
      return;
    }
    const started = performance.now();
    const child = spawn(process.execPath, [STATION_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

    let timedOut = false;
    const killTimer = options.killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.killAfterMs);
    const limitTimer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeLimitMs);

    child.on('error', (error) => {
      running.delete(child);
      reject(error);
    });
    child.on('close', (code, signal) => {
      running.delete(child);
      clearTimeout(killTimer);
      clearTimeout(limitTimer);
      // A signal in the close event means that the process was still running when it arrived.
      // A kill sent after the process had exited leaves no signal and is no kill point.
      resolve({
        code,
        signal,
        killed: signal === 'SIGKILL' && !timedOut,
        timedOut,
        durationMs: performance.now() - started,
        stdout,
        stderr,
        json: parseLastLine(stdout),
      });
    });
  });
}

function parseLastLine(stdout: string): Record<string, unknown> | undefined {
  const lastLine = stdout.trimEnd().split('\n').at(-1) ?? '';
  if (!lastLine.startsWith('{')) {
    return undefined;
  }
  try {
    return JSON.parse(lastLine) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
