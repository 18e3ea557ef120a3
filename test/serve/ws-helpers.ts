// Test helpers for the WebSocket transport: a small built-renderer folder, and a `ws` client
// (Node.js 20 has no global WebSocket) that reports a refused upgrade by its HTTP status.
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { WsServerMessage } from '../../src/shared/api';

export const PAGE_POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'";
export const OUTSIDE_SECRET = 'outside-the-renderer-folder';

/**
 * Writes a renderer folder like electron-vite's out/renderer into `dir`/renderer, and a file
 * beside it that must never be served. Returns the renderer folder.
 */
export function writeRendererFixture(dir: string): string {
  const root = join(dir, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(
    join(root, 'index.html'),
    `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="${PAGE_POLICY}" /><title>Fixture</title>` +
      '<script type="module" src="./assets/app.js"></script><link rel="stylesheet" href="./assets/app.css"></head><body><div id="root"></div></body></html>',
  );
  writeFileSync(join(root, 'assets', 'app.js'), 'export const ready = true;\n');
  writeFileSync(join(root, 'assets', 'app.css'), 'body { margin: 0; }\n');
  writeFileSync(join(root, '.env'), 'HIDDEN=1\n');
  writeFileSync(join(dir, 'secret.txt'), OUTSIDE_SECRET);
  return root;
}

export function apiUrl(port: number, token: string | undefined): string {
  const query = token === undefined ? '' : `?token=${encodeURIComponent(token)}`;
  return `ws://127.0.0.1:${port}/api${query}`;
}

export type ConnectResult = { opened: true; socket: WebSocket } | { opened: false; status: number; body: string };

/** Opens a WebSocket; resolves with the socket, or with the HTTP status of a refused upgrade. */
export function connect(url: string, options: { origin?: string } = {}): Promise<ConnectResult> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options.origin === undefined ? {} : { origin: options.origin });
    socket.once('open', () => resolve({ opened: true, socket }));
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ opened: false, status: response.statusCode ?? 0, body }));
    });
    socket.once('error', reject);
  });
}

/** Collects every message the server sends on `socket`, parsed. */
export function collectMessages(socket: WebSocket): WsServerMessage[] {
  const messages: WsServerMessage[] = [];
  socket.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString()) as WsServerMessage));
  return messages;
}

/** Sends one request and resolves with the reply of the same id; events in between are skipped. */
export function request(socket: WebSocket, text: string): Promise<WsServerMessage> {
  const { id } = JSON.parse(text) as { id: unknown };
  return new Promise((resolve) => {
    const onMessage = (data: Buffer): void => {
      const message = JSON.parse(data.toString()) as WsServerMessage;
      if ('id' in message && message.id === id) {
        socket.off('message', onMessage);
        resolve(message);
      }
    };
    socket.on('message', onMessage);
    socket.send(text);
  });
}

/** Resolves with the close code and reason once the server closes `socket`. */
export function closed(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Sends a GET with the path exactly as given; fetch() and URL would normalise `..` away. */
export function rawGet(port: number, path: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request({ host: '127.0.0.1', port, path, method: 'GET' }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}
