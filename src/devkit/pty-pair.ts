// A kernel pseudo-terminal pair joined by socat: the station opens one end, the simulated
// device the other, so tests run the real serialport binding with no hardware.
import { spawn, type ChildProcess } from 'node:child_process';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getLogger } from '../main/log';

const log = getLogger('devkit');

const READY_TIMEOUT_MS = 5000;

export interface PtyPair {
  /** Symlink to the pty the station opens. */
  readonly stationPath: string;
  /** Symlink to the pty the simulated device opens. */
  readonly devicePath: string;
  /** Stops socat and removes the links; safe to call twice. */
  close(): Promise<void>;
}

export function isSocatAvailable(): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('socat', ['-V'], { stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('exit', (code) => resolve(code === 0));
  });
}

export async function createPtyPair(): Promise<PtyPair> {
  const folder = await mkdtemp(join(tmpdir(), 'station-pty-'));
  const stationPath = join(folder, 'station');
  const devicePath = join(folder, 'device');

  const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${stationPath}`, `pty,raw,echo=0,link=${devicePath}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr = (stderr + text).slice(-2000)));

  const close = async (): Promise<void> => {
    await stopProcess(child);
    await rm(folder, { recursive: true, force: true });
  };

  try {
    await waitForLinks(child, [stationPath, devicePath]);
  } catch (error) {
    await close();
    throw new Error(`creating the pty pair with socat failed: ${(error as Error).message}. socat output: ${stderr.trim()}`, { cause: error });
  }
  log.debug({ stationPath, devicePath, pid: child.pid }, 'pty pair ready');
  return { stationPath, devicePath, close };
}

async function waitForLinks(child: ChildProcess, paths: string[]): Promise<void> {
  const started = Date.now();
  let exited: string | undefined;
  child.once('error', (error) => (exited = error.message));
  child.once('exit', (code) => (exited = `socat exited with code ${code ?? 'none'}`));

  for (;;) {
    if (exited !== undefined) {
      throw new Error(exited);
    }
    const present = await Promise.all(paths.map((path) => access(path).then(() => true, () => false)));
    if (present.every(Boolean)) {
      return;
    }
    if (Date.now() - started > READY_TIMEOUT_MS) {
      throw new Error(`links not there after ${READY_TIMEOUT_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
