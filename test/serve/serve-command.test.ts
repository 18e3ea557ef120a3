// `station serve` as an operator runs it: the real command line in a child process, the real
// station service behind the WebSocket, and a clean exit on SIGTERM and SIGINT.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { serveCommand } from '../../src/cli/commands/serve';
import type { WsServerMessage } from '../../src/shared/api';
import { startServe, parseServeUrl, requireBuiltRenderer, type ServeProcess } from '../helpers/serve-process';
import { useTempDir } from '../helpers/temp-dir';
import { connect, request } from './ws-helpers';

const tempDir = useTempDir();
const running: ServeProcess[] = [];

beforeAll(() => {
  requireBuiltRenderer();
});

afterEach(async () => {
  for (const serve of running.splice(0)) {
    await serve.stop('SIGKILL');
  }
});

function serve(args: string[]): ServeProcess {
  const process = startServe(args);
  running.push(process);
  return process;
}

describe('station serve', () => {
  it('prints the URL first and exits 0 on SIGTERM', async () => {
    const dbPath = join(tempDir(), 'station.db');
    const station = serve(['--db', dbPath, '--port', '0']);

    const url = parseServeUrl(await station.firstLine);
    const page = await fetch(new URL('/', url));
    const exit = await station.stop('SIGTERM');

    expect(url.hostname).toBe('127.0.0.1');
    expect(Number(url.port)).toBeGreaterThan(0);
    expect(url.hash).toMatch(/^#token=[A-Za-z0-9_-]{43}$/);
    expect(page.status).toBe(200);
    expect(exit.code).toBe(0);
    expect(exit.stdout).toContain('Station UI stopped.');
    expect(exit.stderr).toBe('');
  });

  it('exits 0 on SIGINT', async () => {
    const station = serve(['--db', join(tempDir(), 'station.db')]);
    await station.firstLine;

    const exit = await station.stop('SIGINT');

    expect(exit.code).toBe(0);
  });

  it('prints one JSON object with --json', async () => {
    const dbPath = join(tempDir(), 'station.db');
    const station = serve(['--db', dbPath, '--port', '0', '--json']);

    const line = await station.firstLine;
    const exit = await station.stop();
    const output = JSON.parse(line) as { url: string; port: number; db: string };

    expect(parseServeUrl(`Station UI: ${output.url}`).port).toBe(String(output.port));
    expect(output.db).toBe(dbPath);
    expect(exit.code).toBe(0);
    expect(exit.stdout.trim()).toBe(line);
  });

  it('carries calls and events of the real service', async () => {
    const station = serve(['--db', join(tempDir(), 'station.db'), '--port', '0']);
    const url = parseServeUrl(await station.firstLine);
    const token = url.hash.replace('#token=', '');

    const result = await connect(`ws://127.0.0.1:${url.port}/api?token=${token}`, { origin: url.origin });
    if (!result.opened) {
      throw new Error(`upgrade refused with ${result.status}`);
    }
    const socket = result.socket;
    const info = await request(socket, JSON.stringify({ id: 1, call: 'appInfo', args: [] }));
    const events: WsServerMessage[] = [];
    socket.on('message', (data: Buffer) => events.push(JSON.parse(data.toString()) as WsServerMessage));
    const unlock = await request(socket, JSON.stringify({ id: 2, call: 'supervisorUnlock', args: ['0000'] }));
    const invalid = await request(socket, JSON.stringify({ id: 3, call: 'queueResolve', args: [1, 'drop'] }));
    socket.close();

    expect(info).toMatchObject({ id: 1, reply: { ok: true, value: { transport: 'websocket', servicesReady: true } } });
    expect(unlock).toMatchObject({ id: 2, reply: { ok: true } });
    expect(invalid).toMatchObject({ id: 3, reply: { ok: false, code: 'invalid-call' } });
    expect(events).toContainEqual({ event: { type: 'supervisor', unlocked: true } });
  });

  it('refuses a wrong token from the real command', async () => {
    const station = serve(['--db', join(tempDir(), 'station.db'), '--port', '0']);
    const url = parseServeUrl(await station.firstLine);

    const result = await connect(`ws://127.0.0.1:${url.port}/api?token=not-the-token`, { origin: url.origin });

    expect(result).toMatchObject({ opened: false, status: 401 });
  });

  it('keeps the token out of its log', async () => {
    const dbPath = join(tempDir(), 'station.db');
    const station = serve(['--db', dbPath, '--port', '0']);
    const url = parseServeUrl(await station.firstLine);
    const token = url.hash.replace('#token=', '');
    const wrongToken = 'W'.repeat(43);

    const refused = await connect(`ws://127.0.0.1:${url.port}/api?token=${wrongToken}`, { origin: url.origin });
    const accepted = await connect(`ws://127.0.0.1:${url.port}/api?token=${token}`, { origin: url.origin });
    if (accepted.opened) {
      await request(accepted.socket, JSON.stringify({ id: 1, call: 'appInfo', args: [] }));
      accepted.socket.close();
    }
    await station.stop();
    const log = readFileSync(`${dbPath}.log`, 'utf8');

    expect(refused).toMatchObject({ opened: false, status: 401 });
    expect(accepted.opened).toBe(true);
    expect(log).toContain('rejected a WebSocket upgrade');
    expect(log).toContain('a WebSocket client connected');
    expect(log).not.toContain(token);
    expect(log).not.toContain(wrongToken);
  });

  it('rejects a port out of range', async () => {
    const station = serve(['--db', join(tempDir(), 'station.db'), '--port', '70000']);

    const exit = await station.exited;

    expect(exit.code).not.toBe(0);
    expect(exit.stderr).toMatch(/port/i);
    expect(exit.stderr.split('\n').filter((line) => line !== '')).toHaveLength(1);
  });

  it('says to build first when out/renderer is missing', async () => {
    const dir = tempDir();
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });

    const code = await serveCommand({ db: join(dir, 'station.db'), port: 0 }, join(dir, 'no-renderer')).finally(() => spy.mockRestore());

    expect(code).toBe(1);
    expect(written.join('')).toContain('run `npm run build` first');
  });
});
