// Runs the real `station serve` (node bin/station.js serve) as a child process, as a kiosk
// supervisor would: it waits for the first line of stdout, which carries the URL, and stops the
// process with a signal.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const STATION_BIN = fileURLToPath(new URL('../../bin/station.js', import.meta.url));
const BUILT_PAGE = fileURLToPath(new URL('../../out/renderer/index.html', import.meta.url));

export interface ServeExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ServeProcess {
  child: ChildProcess;
  /** The first line of stdout, without its line break. */
  firstLine: Promise<string>;
  /** Resolves when the process has exited. */
  exited: Promise<ServeExit>;
  /** Sends `signal` (SIGTERM by default) and resolves with the exit. */
  stop(signal?: NodeJS.Signals): Promise<ServeExit>;
}

/** Throws with the fix when out/renderer has not been built, which `station serve` needs. */
export function requireBuiltRenderer(): void {
  if (!existsSync(BUILT_PAGE)) {
    throw new Error(`${BUILT_PAGE} is missing; run \`npm run build\` before these tests`);
  }
}

/**
 * Starts `station serve` with `args`. The first line rejects when the process exits before it
 * printed a line, with its stderr in the message.
 */
export function startServe(args: string[], env: NodeJS.ProcessEnv = {}): ServeProcess {
  const child = spawn(process.execPath, [STATION_BIN, 'serve', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';

  const exited = new Promise<ServeExit>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });

  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const end = stdout.indexOf('\n');
      if (end >= 0) {
        resolve(stdout.slice(0, end));
      }
    });
    void exited.then((exit) => reject(new Error(`station serve exited with ${exit.code ?? exit.signal} before printing its URL; stderr: ${exit.stderr}`)));
  });
  firstLine.catch(() => undefined); // a caller that never reads the line must not see an unhandled rejection
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

  return {
    child,
    firstLine,
    exited,
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
      }
      return exited;
    },
  };
}

/** Reads the URL out of the first line, `Station UI: URL`. */
export function parseServeUrl(line: string): URL {
  const match = /^Station UI: (http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]+)$/.exec(line);
  if (match?.[1] === undefined) {
    throw new Error(`unexpected first line of station serve: ${line}`);
  }
  return new URL(match[1]);
}
