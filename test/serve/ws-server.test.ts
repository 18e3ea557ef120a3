// The WebSocket transport on real sockets on 127.0.0.1: who may connect, how calls and events
// travel, and how malformed messages end. The service is a spy, so a test can prove that a
// rejected call never ran a handler.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startStationWsServer, type StationWsServer } from '../../src/main/transport/ws-server';
import type { StationEvent, WsServerMessage } from '../../src/shared/api';
import { useTempDir } from '../helpers/temp-dir';
import { createSpyService, SPY_APP_INFO, type SpyService } from './spy-service';
import { apiUrl, closed, collectMessages, connect, request, writeRendererFixture } from './ws-helpers';

const tempDir = useTempDir();
const servers: StationWsServer[] = [];
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) {
    socket.terminate();
  }
  for (const server of servers.splice(0)) {
    await server.close();
  }
});

async function start(spy: SpyService = createSpyService()): Promise<{ server: StationWsServer; spy: SpyService }> {
  const server = await startStationWsServer({ service: spy.service, rendererDir: writeRendererFixture(tempDir()), port: 0 });
  servers.push(server);
  return { server, spy };
}

async function open(server: StationWsServer, origin: string | undefined = server.origin): Promise<WebSocket> {
  const result = await connect(apiUrl(server.port, server.token), origin === undefined ? {} : { origin });
  if (!result.opened) {
    throw new Error(`the upgrade was refused with ${result.status}: ${result.body}`);
  }
  sockets.push(result.socket);
  return result.socket;
}

describe('WebSocket upgrade', () => {
  it('prints a loopback URL with the token in its fragment', async () => {
    const { server } = await start();

    expect(server.url).toBe(`http://127.0.0.1:${server.port}/#token=${server.token}`);
    expect(server.origin).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('gives each run its own token', async () => {
    const first = await start();
    const second = await start();

    expect(first.server.token).not.toBe(second.server.token);
  });

  it('refuses a missing token with 401', async () => {
    const { server } = await start();

    const result = await connect(apiUrl(server.port, undefined), { origin: server.origin });

    expect(result).toMatchObject({ opened: false, status: 401 });
    expect(result).toHaveProperty('body', expect.stringContaining('token is missing') as unknown);
  });

  it('refuses a wrong token with 401', async () => {
    const { server } = await start();
    const wrong = server.token.slice(0, -1) + (server.token.endsWith('A') ? 'B' : 'A');

    for (const token of [wrong, 'short', `${server.token}x`]) {
      const result = await connect(apiUrl(server.port, token), { origin: server.origin });
      expect(result, token).toMatchObject({ opened: false, status: 401 });
    }
  });

  it('refuses the token of another run', async () => {
    const { server } = await start();
    const other = await start();

    const result = await connect(apiUrl(server.port, other.server.token), { origin: server.origin });

    expect(result).toMatchObject({ opened: false, status: 401 });
  });

  it('refuses a foreign Origin with 403, even with the right token', async () => {
    const { server } = await start();
    const foreign = ['http://evil.example', `http://localhost:${server.port}`, `https://127.0.0.1:${server.port}`, `http://127.0.0.1:${server.port + 1}`, 'null'];

    for (const origin of foreign) {
      const result = await connect(apiUrl(server.port, server.token), { origin });
      expect(result, origin).toMatchObject({ opened: false, status: 403 });
    }
  });

  it('refuses another path with 404', async () => {
    const { server } = await start();

    const result = await connect(`ws://127.0.0.1:${server.port}/other?token=${server.token}`, { origin: server.origin });

    expect(result).toMatchObject({ opened: false, status: 404 });
  });

  it('accepts the right token with the server origin', async () => {
    const { server } = await start();

    const socket = await open(server);

    expect(socket.readyState).toBe(WebSocket.OPEN);
    expect(server.clientCount()).toBe(1);
  });

  it('accepts the right token without an Origin header', async () => {
    const { server } = await start();

    const socket = await open(server, undefined);

    expect(socket.readyState).toBe(WebSocket.OPEN);
  });
});

describe('WebSocket calls and events', () => {
  it('answers a call with its id and reply', async () => {
    const { server, spy } = await start();
    const socket = await open(server);

    const answer = await request(socket, JSON.stringify({ id: 7, call: 'appInfo', args: [] }));

    expect(answer).toEqual({ id: 7, reply: { ok: true, value: SPY_APP_INFO } });
    expect(spy.calls).toEqual([{ name: 'appInfo', args: [] }]);
  });

  it('passes validated arguments to the handler', async () => {
    const { server, spy } = await start();
    const socket = await open(server);

    const answer = await request(socket, JSON.stringify({ id: 1, call: 'queueResolve', args: [12, 'retry'] }));

    expect(answer).toEqual({ id: 1, reply: { ok: true, value: null } });
    expect(spy.calls).toEqual([{ name: 'queueResolve', args: [12, 'retry'] }]);
  });

  it('rejects bad arguments before any handler runs', async () => {
    const { server, spy } = await start();
    const socket = await open(server);
    const cases = [
      { id: 1, call: 'queueResolve', args: [12, 'delete-everything'] },
      { id: 2, call: 'queueResolve', args: [-1, 'retry'] },
      { id: 3, call: 'scanSerial', args: ['x'.repeat(10_000)] },
      { id: 4, call: 'appInfo', args: ['unexpected'] },
      { id: 5, call: 'historySearch', args: [{ text: 'a', limit: 1e9 }] },
      { id: 6, call: 'supervisorUnlock' },
    ];

    for (const message of cases) {
      const answer = await request(socket, JSON.stringify(message));
      expect(answer, message.call).toMatchObject({ id: message.id, reply: { ok: false, code: 'invalid-call' } });
    }
    expect(spy.calls).toEqual([]);
  });

  it('rejects an unknown call before any handler runs', async () => {
    const { server, spy } = await start();
    const socket = await open(server);

    for (const call of ['dropDatabase', 'constructor', '__proto__', 'onEvent']) {
      const answer = await request(socket, JSON.stringify({ id: 3, call, args: [] }));
      expect(answer, call).toMatchObject({ id: 3, reply: { ok: false, code: 'invalid-call' } });
    }
    expect(spy.calls).toEqual([]);
  });

  it('sends a handler failure as a reason code', async () => {
    const { StationError } = await import('../../src/shared/reasons');
    const spy = createSpyService({ syncNow: () => Promise.reject(new StationError('server-unreachable', 'HTTP 502')) });
    const { server } = await start(spy);
    const socket = await open(server);

    const answer = await request(socket, JSON.stringify({ id: 9, call: 'syncNow', args: [] }));

    expect(answer).toMatchObject({ id: 9, reply: { ok: false, code: 'server-unreachable' } });
  });

  it('answers concurrent calls by id', async () => {
    let releaseSlow: () => void = () => undefined;
    const spy = createSpyService({
      syncNow: () => new Promise((resolve) => (releaseSlow = () => resolve('slow'))),
      shiftCounters: () => Promise.resolve('fast'),
    });
    const { server } = await start(spy);
    const socket = await open(server);
    const messages = collectMessages(socket);

    socket.send(JSON.stringify({ id: 1, call: 'syncNow', args: [] }));
    const fast = await request(socket, JSON.stringify({ id: 2, call: 'shiftCounters', args: [] }));
    releaseSlow();
    await expect.poll(() => messages.length).toBe(2);

    expect(fast).toEqual({ id: 2, reply: { ok: true, value: 'fast' } });
    expect(messages[1]).toEqual({ id: 1, reply: { ok: true, value: 'slow' } });
  });

  it('pushes every event to every client', async () => {
    const { server, spy } = await start();
    const first = collectMessages(await open(server));
    const second = collectMessages(await open(server));
    const events: StationEvent[] = [
      { type: 'supervisor', unlocked: true },
      { type: 'port-removed', port: '/dev/ttyUSB0' },
    ];

    for (const event of events) {
      spy.emit(event);
    }

    const expected: WsServerMessage[] = events.map((event) => ({ event }));
    await expect.poll(() => first).toEqual(expected);
    await expect.poll(() => second).toEqual(expected);
  });

  it('stops listening to events after close', async () => {
    const { server, spy } = await start();
    expect(spy.listenerCount()).toBe(1);

    await server.close();
    servers.splice(servers.indexOf(server), 1);

    expect(spy.listenerCount()).toBe(0);
  });

  it('closes clients with 1001 when the server stops', async () => {
    const { server } = await start();
    const socket = await open(server);
    const closing = closed(socket);

    await server.close();
    servers.splice(servers.indexOf(server), 1);

    expect(await closing).toEqual({ code: 1001, reason: 'The station is stopping.' });
  });
});

describe('malformed WebSocket messages', () => {
  const cases = [
    { name: 'invalid JSON', send: '{"id": 1, "call": ', code: 1007, reason: 'The message is not valid JSON.' },
    { name: 'a JSON array', send: '[1, "appInfo", []]', code: 1008, reason: 'A message must be a JSON object {id, call, args}.' },
    { name: 'a JSON string', send: '"appInfo"', code: 1008, reason: 'A message must be a JSON object {id, call, args}.' },
    { name: 'a missing id', send: '{"call": "appInfo", "args": []}', code: 1008, reason: 'A message needs an id that is a whole number of 0 or more.' },
    { name: 'a text id', send: '{"id": "1", "call": "appInfo", "args": []}', code: 1008, reason: 'A message needs an id that is a whole number of 0 or more.' },
    { name: 'a fractional id', send: '{"id": 1.5, "call": "appInfo", "args": []}', code: 1008, reason: 'A message needs an id that is a whole number of 0 or more.' },
  ];

  for (const testCase of cases) {
    it(`closes the connection on ${testCase.name}`, async () => {
      const { server, spy } = await start();
      const socket = await open(server);
      const closing = closed(socket);

      socket.send(testCase.send);

      expect(await closing).toEqual({ code: testCase.code, reason: testCase.reason });
      expect(spy.calls).toEqual([]);
    });
  }

  it('closes the connection on a binary message', async () => {
    const { server } = await start();
    const socket = await open(server);
    const closing = closed(socket);

    socket.send(Buffer.from(JSON.stringify({ id: 1, call: 'appInfo', args: [] })), { binary: true });

    expect(await closing).toEqual({ code: 1003, reason: 'Binary messages are not supported; send JSON text.' });
  });

  it('closes the connection on a message over 1 MiB', async () => {
    const { server } = await start();
    const socket = await open(server);
    const closing = closed(socket);

    socket.send(JSON.stringify({ id: 1, call: 'scanSerial', args: ['x'.repeat(1024 * 1024)] }));

    expect((await closing).code).toBe(1009);
  });

  it('keeps serving other clients after one was closed', async () => {
    const { server } = await start();
    const bad = await open(server);
    const good = await open(server);
    const closing = closed(bad);

    bad.send('not json');
    await closing;
    const answer = await request(good, JSON.stringify({ id: 5, call: 'appInfo', args: [] }));

    expect(answer).toEqual({ id: 5, reply: { ok: true, value: SPY_APP_INFO } });
  });
});
