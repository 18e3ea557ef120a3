// The renderer's WebSocket client, run in Node.js with the `ws` package in place of the
// browser's WebSocket: first against the real transport, then against a bare socket server
// that can drop the connection, to check reconnecting.
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { startStationWsServer, type StationWsServer } from '../../src/main/transport/ws-server';
import { createWsStationClient, StationConnectionError, type ConnectionState, type WebSocketConstructor, type WsStationClient } from '../../src/renderer/src/api/ws-client';
import { StationCallError, type StationEvent, type WsClientMessage } from '../../src/shared/api';
import { StationError } from '../../src/shared/reasons';
import { useTempDir } from '../helpers/temp-dir';
import { createSpyService, SPY_APP_INFO } from './spy-service';
import { writeRendererFixture } from './ws-helpers';

const NodeWebSocket = WebSocket as unknown as WebSocketConstructor;
const tempDir = useTempDir();
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup();
  }
});

function track(client: WsStationClient): WsStationClient {
  cleanups.push(() => client.close());
  return client;
}

function waitForState(client: WsStationClient, state: ConnectionState): Promise<void> {
  return new Promise((resolve) => {
    if (client.connectionState() === state) {
      resolve();
      return;
    }
    const stop = client.onConnectionState((next) => {
      if (next === state) {
        stop();
        resolve();
      }
    });
  });
}

describe('WebSocket client on the real transport', () => {
  async function startServer(spy = createSpyService()): Promise<StationWsServer> {
    const server = await startStationWsServer({ service: spy.service, rendererDir: writeRendererFixture(tempDir()), port: 0 });
    cleanups.push(() => server.close());
    return server;
  }

  function clientFor(server: StationWsServer, token = server.token): WsStationClient {
    return track(createWsStationClient({ url: `ws://127.0.0.1:${server.port}/api`, token, WebSocket: NodeWebSocket, initialReconnectDelayMs: 20 }));
  }

  it('resolves a call with its value', async () => {
    const client = clientFor(await startServer());
    await waitForState(client, 'open');

    expect(await client.appInfo()).toEqual(SPY_APP_INFO);
  });

  it('rejects a failed call with StationCallError', async () => {
    const spy = createSpyService({ supervisorUnlock: () => Promise.reject(new StationError('settings-locked')) });
    const client = clientFor(await startServer(spy));
    await waitForState(client, 'open');

    const failure = await client.supervisorUnlock('1234').catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(StationCallError);
    expect((failure as StationCallError).code).toBe('settings-locked');
    expect((failure as StationCallError).message).toContain('The settings are locked');
  });

  it('rejects invalid arguments with invalid-call', async () => {
    const spy = createSpyService();
    const client = clientFor(await startServer(spy));
    await waitForState(client, 'open');

    const failure = await client.scanSerial(42 as unknown as string).catch((error: unknown) => error);

    expect((failure as StationCallError).code).toBe('invalid-call');
    expect(spy.calls).toEqual([]);
  });

  it('delivers events to every listener until it unsubscribes', async () => {
    const spy = createSpyService();
    const client = clientFor(await startServer(spy));
    await waitForState(client, 'open');
    const kept: StationEvent[] = [];
    const dropped: StationEvent[] = [];
    client.onEvent((event) => kept.push(event));
    const unsubscribe = client.onEvent((event) => dropped.push(event));

    spy.emit({ type: 'supervisor', unlocked: true });
    await expect.poll(() => kept.length).toBe(1);
    unsubscribe();
    spy.emit({ type: 'supervisor', unlocked: false });
    await expect.poll(() => kept.length).toBe(2);

    expect(kept).toEqual([
      { type: 'supervisor', unlocked: true },
      { type: 'supervisor', unlocked: false },
    ]);
    expect(dropped).toEqual([{ type: 'supervisor', unlocked: true }]);
  });

  it('keeps retrying and never opens with a wrong token', async () => {
    const server = await startServer();
    let attempts = 0;
    class CountingWebSocket extends WebSocket {
      constructor(url: string) {
        super(url);
        attempts += 1;
      }
    }
    const client = track(
      createWsStationClient({
        url: `ws://127.0.0.1:${server.port}/api`,
        token: 'wrong-token',
        WebSocket: CountingWebSocket as unknown as WebSocketConstructor,
        initialReconnectDelayMs: 20,
      }),
    );
    const states: ConnectionState[] = [];
    client.onConnectionState((state) => states.push(state));

    await expect.poll(() => attempts).toBeGreaterThanOrEqual(3);

    expect(states).toEqual(['reconnecting']);
    expect(server.clientCount()).toBe(0);
  });
});

describe('WebSocket client reconnecting', () => {
  /** A bare socket server that answers appInfo and can drop every client. */
  async function startBareServer(): Promise<{ url: string; sockets: WebSocketServer; held: WsClientMessage[] }> {
    const sockets = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => sockets.once('listening', () => resolve()));
    const held: WsClientMessage[] = [];
    sockets.on('connection', (socket) => {
      socket.on('message', (data: Buffer) => {
        const message = JSON.parse(data.toString()) as WsClientMessage;
        if (message.call === 'syncNow') {
          held.push(message); // never answered, so the drop catches it in flight
          return;
        }
        socket.send(JSON.stringify({ id: message.id, reply: { ok: true, value: SPY_APP_INFO } }));
      });
    });
    cleanups.push(() => new Promise<void>((resolve) => sockets.close(() => resolve())));
    const { port } = sockets.address() as AddressInfo;
    return { url: `ws://127.0.0.1:${port}/api`, sockets, held };
  }

  function dropClients(sockets: WebSocketServer): void {
    for (const socket of sockets.clients) {
      socket.terminate();
    }
  }

  it('reconnects after the connection drops', async () => {
    const { url, sockets } = await startBareServer();
    const client = track(createWsStationClient({ url, token: 't', WebSocket: NodeWebSocket, initialReconnectDelayMs: 20 }));
    const states: ConnectionState[] = [];
    client.onConnectionState((state) => states.push(state));
    await waitForState(client, 'open');

    dropClients(sockets);
    await waitForState(client, 'reconnecting');
    await waitForState(client, 'open');

    expect(states).toEqual(['open', 'reconnecting', 'open']);
    expect(await client.appInfo()).toEqual(SPY_APP_INFO);
  });

  it('rejects a call made while disconnected', async () => {
    const { url, sockets } = await startBareServer();
    const client = track(createWsStationClient({ url, token: 't', WebSocket: NodeWebSocket, initialReconnectDelayMs: 60_000 }));
    await waitForState(client, 'open');

    dropClients(sockets);
    await waitForState(client, 'reconnecting');
    const failure = await client.appInfo().catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(StationConnectionError);
    expect((failure as StationConnectionError).sent).toBe(false);
    expect((failure as StationConnectionError).message).toBe('Not connected to the station; reconnecting. Try again in a moment.');
  });

  it('rejects a call in flight when the connection drops', async () => {
    const { url, sockets, held } = await startBareServer();
    const client = track(createWsStationClient({ url, token: 't', WebSocket: NodeWebSocket, initialReconnectDelayMs: 20 }));
    await waitForState(client, 'open');

    const call = client.syncNow().catch((error: unknown) => error);
    await expect.poll(() => held.length).toBe(1);
    dropClients(sockets);
    const failure = await call;

    expect(failure).toBeInstanceOf(StationConnectionError);
    expect((failure as StationConnectionError).sent).toBe(true);
    expect((failure as StationConnectionError).message).toContain('may or may not have run');
  });

  it('sends the token in the query of the socket URL', async () => {
    const { url, sockets } = await startBareServer();
    const seen: string[] = [];
    sockets.on('connection', (_socket, request) => seen.push(request.url ?? ''));
    const client = track(createWsStationClient({ url, token: 'a+b/c=', WebSocket: NodeWebSocket }));
    await waitForState(client, 'open');

    expect(seen).toEqual(['/api?token=a%2Bb%2Fc%3D']);
  });

  it('stops for good on close', async () => {
    const { url, sockets } = await startBareServer();
    const client = createWsStationClient({ url, token: 't', WebSocket: NodeWebSocket, initialReconnectDelayMs: 20 });
    await waitForState(client, 'open');

    client.close();
    await expect.poll(() => sockets.clients.size).toBe(0);
    const failure = await client.appInfo().catch((error: unknown) => error);

    expect(client.connectionState()).toBe('closed');
    expect((failure as StationConnectionError).message).toBe('The connection to the station was closed.');
  });
});
