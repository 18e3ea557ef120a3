// The second StationApi transport, for headless kiosks and browser tests: serves the built
// renderer over HTTP on 127.0.0.1 and carries the calls and events over a WebSocket at /api on
// the same port. The page itself contains no secret. The WebSocket upgrade needs the per-run
// token, which the operator gets in the URL's fragment (#token=...), so it never travels in an
// HTTP request line or a Referer header. See upgrade-check.ts for the Origin rule.
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import WebSocket, { WebSocketServer } from 'ws';
import type { StationApi, WsServerMessage } from '../../shared/api';
import { getLogger } from '../log';
import { checkUpgrade, createToken, type UpgradeExpectation } from './upgrade-check';
import { CLOSE_CODES, serveConnection } from './ws-connection';

const log = getLogger('api');

/** The only address the server listens on: the station's UI is for this machine alone. */
export const LOOPBACK_HOST = '127.0.0.1';

/** Largest client message. StationApi arguments are a few kilobytes at most. */
const MAX_MESSAGE_BYTES = 1024 * 1024;

/** Time between pings. A client that sent no pong for the previous ping by then is dropped. */
const HEARTBEAT_INTERVAL_MS = 30_000;

/** Time clients get to close after the server sent its close frame, before they are cut off. */
const CLOSE_GRACE_MS = 1_000;

/** Policy used when the built index.html has none: the directives of the page source. */
const DEFAULT_PAGE_POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'";

export interface StationWsServerOptions {
  service: StationApi;
  /** The built renderer: index.html and assets/, as electron-vite writes them to out/renderer. */
  rendererDir: string;
  /** TCP port; 0 picks a free one. */
  port?: number;
}

export interface StationWsServer {
  /** The URL to open, http://127.0.0.1:PORT/#token=TOKEN. It contains the token: print it, never log it. */
  url: string;
  /** The server's own origin, http://127.0.0.1:PORT, the only Origin a WebSocket client may send. */
  origin: string;
  port: number;
  token: string;
  /** Number of connected WebSocket clients. */
  clientCount(): number;
  /** Closes every WebSocket with code 1001, then stops the HTTP server. The service stays open. */
  close(): Promise<void>;
}

/** Starts the server and resolves once it listens. */
export async function startStationWsServer(options: StationWsServerOptions): Promise<StationWsServer> {
  const rendererDir = resolve(options.rendererDir);
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Error(`the built renderer is missing: ${join(rendererDir, 'index.html')} does not exist; run \`npm run build\` first`);
  }

  const token = createToken();
  const app = await createHttpApp(rendererDir);
  await app.listen({ host: LOOPBACK_HOST, port: options.port ?? 0 });
  const port = listeningPort(app);
  const expected: UpgradeExpectation = { origin: `http://${LOOPBACK_HOST}:${port}`, host: `${LOOPBACK_HOST}:${port}`, token };

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  let nextClientId = 1;
  app.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const verdict = checkUpgrade(request, expected);
    if (!verdict.ok) {
      // The request URL is not logged: it carries the token.
      log.warn({ status: verdict.status, reason: verdict.reason, origin: request.headers.origin, remote: request.socket.remoteAddress }, 'rejected a WebSocket upgrade');
      rejectUpgrade(socket, verdict.status, verdict.reason);
      return;
    }
    sockets.handleUpgrade(request, socket, head, (client) => {
      const clientId = nextClientId++;
      acceptClient(client, clientId, options.service, sockets);
    });
  });

  const stopEvents = options.service.onEvent((event) => {
    const message: WsServerMessage = { event };
    broadcast(sockets, JSON.stringify(message));
  });
  const heartbeat = startHeartbeat(sockets);

  log.info({ port, rendererDir }, 'serving the station UI on loopback');
  return {
    url: `${expected.origin}/#token=${token}`,
    origin: expected.origin,
    port,
    token,
    clientCount: () => sockets.clients.size,
    close: async () => {
      stopEvents();
      clearInterval(heartbeat);
      await closeClients(sockets);
      await new Promise<void>((done) => sockets.close(() => done()));
      await app.close();
      log.info({ port }, 'stopped serving the station UI');
    },
  };
}

async function createHttpApp(rendererDir: string): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  const pagePolicy = readPagePolicy(rendererDir);

  // Set on every response, the 404s included. frame-ancestors works only in a header, not in
  // the page's meta tag, so the header adds it to the page's own policy.
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('Content-Security-Policy', `${pagePolicy}; frame-ancestors 'none'`);
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Referrer-Policy', 'no-referrer');
  });

  // @fastify/static resolves every path inside `root` and returns 403 or 404 for a path that
  // leaves it. list: false keeps folders unlisted, and dotfiles: 'ignore' returns 404 for them.
  await app.register(fastifyStatic, { root: rendererDir, index: 'index.html', list: false, dotfiles: 'ignore', decorateReply: false });
  // Browsers request /favicon.ico on every page load. The renderer has none, so an empty 204
  // response keeps a 404 out of the page's console.
  if (!existsSync(join(rendererDir, 'favicon.ico'))) {
    app.get('/favicon.ico', (_request, reply) => {
      void reply.code(204).send();
    });
  }
  app.setNotFoundHandler((_request, reply) => {
    void reply.code(404).type('text/plain; charset=utf-8').send('Not found.');
  });
  return app;
}

/**
 * Reads the Content-Security-Policy of the built index.html, so the header and the page's meta
 * tag cannot drift apart when the renderer changes its policy.
 */
function readPagePolicy(rendererDir: string): string {
  const html = readFileSync(join(rendererDir, 'index.html'), 'utf8');
  const match = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html);
  return match?.[1]?.trim().replace(/;\s*$/, '') ?? DEFAULT_PAGE_POLICY;
}

function listeningPort(app: FastifyInstance): number {
  const address = app.server.address();
  if (address === null || typeof address === 'string') {
    throw new Error('the HTTP server has no TCP address after listen');
  }
  return address.port;
}

/** Ends a rejected upgrade with a plain HTTP response, so no WebSocket is opened. */
function rejectUpgrade(socket: Duplex, status: 401 | 403 | 404, reason: string): void {
  const statusText = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' }[status];
  const body = `WebSocket refused: ${reason}.\n`;
  socket.end(
    `HTTP/1.1 ${status} ${statusText}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      '\r\n' +
      body,
  );
}

const alive = new WeakSet<WebSocket>();

function acceptClient(client: WebSocket, clientId: number, service: StationApi, sockets: WebSocketServer): void {
  alive.add(client);
  client.on('pong', () => alive.add(client));
  client.on('error', (error) => log.warn({ client: clientId, err: error }, 'a WebSocket client failed'));
  client.on('close', (code) => log.info({ client: clientId, code, clients: sockets.clients.size }, 'a WebSocket client disconnected'));
  serveConnection(client, service, clientId);
  log.info({ client: clientId, clients: sockets.clients.size }, 'a WebSocket client connected');
}

function broadcast(sockets: WebSocketServer, text: string): void {
  for (const client of sockets.clients) {
    if (client.readyState === WebSocket.OPEN) {
      client.send(text);
    }
  }
}

/** Drops clients that stopped sending pongs, such as a browser tab on a machine that went to sleep. */
function startHeartbeat(sockets: WebSocketServer): NodeJS.Timeout {
  const timer = setInterval(() => {
    for (const client of sockets.clients) {
      if (!alive.has(client)) {
        log.warn({ clients: sockets.clients.size }, 'dropped a WebSocket client that sent no pong within the heartbeat interval');
        client.terminate();
        continue;
      }
      alive.delete(client);
      client.ping();
    }
  }, HEARTBEAT_INTERVAL_MS);
  timer.unref();
  return timer;
}

async function closeClients(sockets: WebSocketServer): Promise<void> {
  const closing = [...sockets.clients].map(
    (client) =>
      new Promise<void>((done) => {
        if (client.readyState === WebSocket.CLOSED) {
          done();
          return;
        }
        const cutOff = setTimeout(() => client.terminate(), CLOSE_GRACE_MS);
        client.once('close', () => {
          clearTimeout(cutOff);
          done();
        });
        client.close(CLOSE_CODES.goingAway, 'The station is stopping.');
      }),
  );
  await Promise.all(closing);
}
