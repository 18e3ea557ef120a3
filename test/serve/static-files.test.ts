// The HTTP side of `station serve`: the built renderer with the right content types and
// security headers, and nothing outside its folder.
import { afterEach, describe, expect, it } from 'vitest';
import { startStationWsServer, type StationWsServer } from '../../src/main/transport/ws-server';
import { useTempDir } from '../helpers/temp-dir';
import { createSpyService } from './spy-service';
import { OUTSIDE_SECRET, PAGE_POLICY, rawGet, writeRendererFixture } from './ws-helpers';

const tempDir = useTempDir();
let server: StationWsServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(): Promise<StationWsServer> {
  server = await startStationWsServer({ service: createSpyService().service, rendererDir: writeRendererFixture(tempDir()), port: 0 });
  return server;
}

describe('static files', () => {
  it('serves index.html at / without the token', async () => {
    const { port } = await start();

    const response = await rawGet(port, '/');

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toContain('<div id="root">');
  });

  it('serves assets with their content types', async () => {
    const { port } = await start();

    const script = await rawGet(port, '/assets/app.js');
    const style = await rawGet(port, '/assets/app.css');

    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toMatch(/^(text|application)\/javascript/);
    expect(style.status).toBe(200);
    expect(style.headers['content-type']).toMatch(/^text\/css/);
  });

  it('sets the security headers on pages and errors', async () => {
    const { port } = await start();

    for (const path of ['/', '/assets/app.js', '/missing.html']) {
      const response = await rawGet(port, path);
      expect(response.headers['x-content-type-options'], path).toBe('nosniff');
      expect(response.headers['content-security-policy'], path).toBe(`${PAGE_POLICY}; frame-ancestors 'none'`);
      expect(response.headers['x-frame-options'], path).toBe('DENY');
      expect(response.headers['referrer-policy'], path).toBe('no-referrer');
    }
  });

  it('returns 404 for a missing file', async () => {
    const { port } = await start();

    const response = await rawGet(port, '/missing.html');

    expect(response.status).toBe(404);
    expect(response.body).toBe('Not found.');
  });

  it('lists no folder', async () => {
    const { port } = await start();

    const response = await rawGet(port, '/assets/');

    expect(response.status).toBe(404);
    expect(response.body).not.toContain('app.js');
  });

  it('serves no dotfile', async () => {
    const { port } = await start();

    const response = await rawGet(port, '/.env');

    expect(response.status).toBe(404);
    expect(response.body).not.toContain('HIDDEN');
  });

  it('serves nothing outside the renderer folder', async () => {
    const { port } = await start();
    const paths = ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e%2f%2e%2e%2fsecret.txt', '/..%5csecret.txt', '/%252e%252e/secret.txt'];

    for (const path of paths) {
      const response = await rawGet(port, path);
      expect([400, 403, 404], path).toContain(response.status);
      expect(response.body, path).not.toContain(OUTSIDE_SECRET);
    }
  });

  it('returns 204 for the missing favicon', async () => {
    const { port } = await start();

    const response = await rawGet(port, '/favicon.ico');

    expect(response.status).toBe(204);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('returns 404 for POST', async () => {
    const { port } = await start();

    const response = await fetch(`http://127.0.0.1:${port}/index.html`, { method: 'POST', body: 'x' });

    expect(response.status).toBe(404);
  });

  it('refuses to start without a built renderer', async () => {
    const dir = tempDir();

    await expect(startStationWsServer({ service: createSpyService().service, rendererDir: dir, port: 0 })).rejects.toThrow(/run `npm run build` first/);
  });
});
