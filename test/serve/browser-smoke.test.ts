// The production renderer in Chromium, served by the real `station serve`: the page renders
// with data that only the station service can give, so calls went through the WebSocket.
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, requireChromium, type TestBrowser } from '../helpers/browser';
import { parseServeUrl, requireBuiltRenderer, startServe, type ServeProcess } from '../helpers/serve-process';
import { useTempDir } from '../helpers/temp-dir';

const tempDir = useTempDir();
let browser: TestBrowser | undefined;
let station: ServeProcess | undefined;

beforeAll(() => {
  requireBuiltRenderer();
  requireChromium();
});

afterEach(async () => {
  await browser?.close();
  browser = undefined;
  await station?.stop('SIGKILL');
  station = undefined;
});

describe('served renderer in Chromium', () => {
  it('renders the first-run screen through the WebSocket', async () => {
    station = startServe(['--db', join(tempDir(), 'station.db'), '--port', '0']);
    const url = parseServeUrl(await station.firstLine);
    browser = await openBrowser();
    const { page } = browser;
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') {
        failures.push(message.text());
      }
    });

    await page.goto(url.href);
    // A new station has no setup, so the setup that setupGet returns makes the page show the first-run screen.
    await page.getByTestId('first-run').waitFor();

    expect(await page.title()).toBe('Provisioning Station');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Provisioning Station');
    expect(await page.getByTestId('no-bridge').count()).toBe(0);
    expect(await page.getByTestId('connection-state').count()).toBe(0);
    expect(failures).toEqual([]);
  });

  it('moves the token out of the address bar into sessionStorage', async () => {
    station = startServe(['--db', join(tempDir(), 'station.db'), '--port', '0']);
    const url = parseServeUrl(await station.firstLine);
    const token = url.hash.replace('#token=', '');
    browser = await openBrowser();
    const { page } = browser;

    await page.goto(url.href);
    await page.getByTestId('first-run').waitFor();
    const storage = await page.evaluate(() => ({
      session: window.sessionStorage.getItem('station.token'),
      local: JSON.stringify({ ...window.localStorage }),
    }));

    expect(page.url()).toBe(`${url.origin}/`);
    expect(storage.session).toBe(token);
    expect(storage.local).not.toContain(token);
  });

  it('keeps working after a reload of the tab', async () => {
    station = startServe(['--db', join(tempDir(), 'station.db'), '--port', '0']);
    const url = parseServeUrl(await station.firstLine);
    browser = await openBrowser();
    const { page } = browser;

    await page.goto(url.href);
    await page.getByTestId('first-run').waitFor();
    await page.reload();
    await page.getByTestId('first-run').waitFor();

    expect(await page.getByTestId('no-bridge').count()).toBe(0);
  });

  it('shows no station without the token', async () => {
    station = startServe(['--db', join(tempDir(), 'station.db'), '--port', '0']);
    const url = parseServeUrl(await station.firstLine);
    browser = await openBrowser();
    const { page } = browser;

    await page.goto(`${url.origin}/`);
    await page.getByTestId('no-bridge').waitFor();

    expect(await page.getByTestId('first-run').count()).toBe(0);
  });
});
