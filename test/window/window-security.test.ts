// The main window's security settings, item by item against Electron's security checklist
// (electronjs.org/docs/latest/tutorial/security), and the navigation, request, download and
// IPC-sender guards with tables of URLs. Pure modules only: no Electron runs here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HEADER_POLICY, PAGE_POLICY, readMetaPolicy, withContentSecurityPolicy } from '../../src/main/window/content-security-policy';
import {
  appEntryFor,
  isAllowedDownload,
  isAllowedNavigation,
  isAllowedRequest,
  isPermissionGranted,
  isTrustedSender,
  urlForLog,
} from '../../src/main/window/navigation';
import { mainWindowOptions } from '../../src/main/window/window-options';

const RENDERER_FILE = '/opt/station/resources/app.asar/out/renderer/index.html';
const fileEntry = appEntryFor({ rendererFile: RENDERER_FILE });
const devEntry = appEntryFor({ devServerUrl: 'http://localhost:5173/', rendererFile: RENDERER_FILE });

describe('main window options', () => {
  const options = mainWindowOptions({ preloadPath: '/opt/station/out/preload/index.cjs', devTools: false });
  const web = options.webPreferences ?? {};

  // Each row: checklist item, the setting, the value it must have.
  const checklist: Array<[string, keyof typeof web, unknown]> = [
    ['2. no Node.js integration', 'nodeIntegration', false],
    ['2. no Node.js integration in workers', 'nodeIntegrationInWorker', false],
    ['2. no Node.js integration in subframes', 'nodeIntegrationInSubFrames', false],
    ['3. context isolation', 'contextIsolation', true],
    ['4. process sandbox', 'sandbox', true],
    ['6. webSecurity stays on', 'webSecurity', true],
    ['8. no allowRunningInsecureContent', 'allowRunningInsecureContent', false],
    ['9. no experimental features', 'experimentalFeatures', false],
    ['11, 12. no <webview> tag at all', 'webviewTag', false],
    ['no spellchecker dictionary downloads', 'spellcheck', false],
    ['13. no navigation by dropping a file', 'navigateOnDragDrop', false],
    ['the preload script', 'preload', '/opt/station/out/preload/index.cjs'],
    ['no DevTools in a packaged app', 'devTools', false],
  ];

  it.each(checklist)('%s', (_item, setting, expected) => {
    expect(web[setting]).toBe(expected);
  });

  it('enables no Blink features (item 10)', () => {
    expect(web.enableBlinkFeatures).toBeUndefined();
  });

  it('names no partition or session', () => {
    expect(web.partition).toBeUndefined();
    expect(web.session).toBeUndefined();
  });

  it('waits for the first paint to show', () => {
    expect(options.show).toBe(false);
  });

  it('keeps DevTools for development builds', () => {
    expect(mainWindowOptions({ preloadPath: '/p.cjs', devTools: true }).webPreferences?.devTools).toBe(true);
  });
});

describe('content security policy (item 7)', () => {
  const directives = new Map(HEADER_POLICY.split('; ').map((part) => [part.split(' ')[0], part.slice(part.indexOf(' ') + 1)]));

  it.each([
    ['default-src', "'self'"],
    ['script-src', "'self'"],
    ['connect-src', "'self'"],
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
    ['frame-ancestors', "'none'"],
    ['form-action', "'none'"],
  ])('header sets %s %s', (name, value) => {
    expect(directives.get(name)).toBe(value);
  });

  it('allows no inline or evaluated script', () => {
    expect(HEADER_POLICY).not.toMatch(/script-src[^;]*unsafe/);
  });

  it('matches the renderer meta tag', () => {
    const html = readFileSync(new URL('../../src/renderer/index.html', import.meta.url), 'utf8');
    expect(readMetaPolicy(html)).toBe(PAGE_POLICY);
  });

  it('leaves frame-ancestors out of the meta tag', () => {
    expect(PAGE_POLICY).not.toContain('frame-ancestors');
    expect(HEADER_POLICY).toBe(`${PAGE_POLICY}; frame-ancestors 'none'`);
  });

  it('replaces a policy the server sent', () => {
    const headers = withContentSecurityPolicy({ 'content-security-policy': ["default-src *"], 'Content-Type': 'text/html', Etag: '"1"' });

    expect(headers['Content-Security-Policy']).toEqual([HEADER_POLICY]);
    expect(headers['content-security-policy']).toBeUndefined();
    expect(headers['Content-Type']).toEqual(['text/html']);
    expect(headers.Etag).toEqual(['"1"']);
  });

  it('adds the policy to a response without headers', () => {
    expect(withContentSecurityPolicy(undefined)).toEqual({ 'Content-Security-Policy': [HEADER_POLICY] });
  });
});

describe('app entry', () => {
  it('loads the built page from file://', () => {
    expect(fileEntry).toMatchObject({ kind: 'file', url: `file://${RENDERER_FILE}`, file: RENDERER_FILE });
  });

  it('loads a loopback dev server', () => {
    expect(devEntry).toMatchObject({ kind: 'dev-server', origin: 'http://localhost:5173' });
    expect(appEntryFor({ devServerUrl: 'http://127.0.0.1:5173', rendererFile: RENDERER_FILE }).kind).toBe('dev-server');
    expect(appEntryFor({ devServerUrl: 'http://[::1]:5173', rendererFile: RENDERER_FILE }).kind).toBe('dev-server');
  });

  it('treats an empty dev server URL as none', () => {
    expect(appEntryFor({ devServerUrl: '', rendererFile: RENDERER_FILE }).kind).toBe('file');
  });

  it.each(['https://example.com', 'http://192.168.1.20:5173', 'http://localhost.example.com:5173', 'file:///tmp/index.html', 'javascript:alert(1)', 'not a url'])(
    'rejects the remote dev server %s',
    (url) => {
      expect(() => appEntryFor({ devServerUrl: url, rendererFile: RENDERER_FILE })).toThrow(/ELECTRON_RENDERER_URL must be an http:\/\/ address/);
    },
  );
});

describe('navigation guard (item 13)', () => {
  it.each([
    [`file://${RENDERER_FILE}`, true],
    [`file://${RENDERER_FILE}#/history`, true],
    [`file://${RENDERER_FILE}?reload=1`, true],
    [`file://localhost${RENDERER_FILE}`, true],
    ['file:///opt/station/resources/app.asar/out/renderer/other.html', false],
    ['file:///opt/station/resources/app.asar/out/renderer/../renderer/index.html', true],
    ['file:///etc/passwd', false],
    [`file://attacker.example${RENDERER_FILE}`, false],
    ['https://example.com/', false],
    ['http://localhost:5173/', false],
    ['javascript:alert(1)', false],
    ['data:text/html,<script>1</script>', false],
    ['about:blank', false],
    ['not a url', false],
  ])('packaged app: %s -> %s', (url, allowed) => {
    expect(isAllowedNavigation(url, fileEntry)).toBe(allowed);
  });

  it.each([
    ['http://localhost:5173/', true],
    ['http://localhost:5173/#/queue', true],
    ['http://localhost:5173/src/main.tsx', true],
    ['http://localhost:5174/', false],
    ['https://localhost:5173/', false],
    ['http://127.0.0.1:5173/', false],
    ['http://localhost:5173.attacker.example/', false],
    ['http://localhost.attacker.example:5173/', false],
    [`file://${RENDERER_FILE}`, false],
  ])('dev server: %s -> %s', (url, allowed) => {
    expect(isAllowedNavigation(url, devEntry)).toBe(allowed);
  });
});

describe('request guard (item 1: no remote content)', () => {
  it.each([
    ['file:///opt/station/resources/app.asar/out/renderer/index.html', true],
    ['file:///opt/station/resources/app.asar/out/renderer/assets/index-1.js', true],
    ['file:///opt/station/resources/app.asar/out/renderer/assets/../../main/index.js', false],
    ['file:///opt/station/resources/app.asar/out/renderer', false],
    ['file:///opt/station/resources/app.asar/out/main/index.js', false],
    ['file:///home/operator/.ssh/id_rsa', false],
    ['https://fonts.example.com/font.woff2', false],
    ['http://127.0.0.1:8080/api/auth/login', false],
    ['ws://localhost:5173/', false],
    ['blob:file:///0d8ab5c6-2c3b-4b0c-8a0c-6a1f0f0e8d11', true],
    ['blob:null/0d8ab5c6-2c3b-4b0c-8a0c-6a1f0f0e8d11', true],
    ['blob:https://example.com/0d8ab5c6', false],
    ['devtools://devtools/bundled/inspector.html', true],
    ['data:image/png;base64,AAAA', false],
  ])('packaged app: %s -> %s', (url, allowed) => {
    expect(isAllowedRequest(url, fileEntry)).toBe(allowed);
  });

  it.each([
    ['http://localhost:5173/src/main.tsx', true],
    ['ws://localhost:5173/', true],
    ['http://localhost:5174/', false],
    ['https://registry.npmjs.org/react', false],
    ['blob:http://localhost:5173/0d8ab5c6', true],
    ['blob:http://localhost:9999/0d8ab5c6', false],
    ['file:///opt/station/resources/app.asar/out/renderer/index.html', false],
  ])('dev server: %s -> %s', (url, allowed) => {
    expect(isAllowedRequest(url, devEntry)).toBe(allowed);
  });
});

describe('download guard', () => {
  it.each([
    ['blob:file:///0d8ab5c6', true],
    ['blob:null/0d8ab5c6', true],
    ['https://example.com/payload.exe', false],
    ['file:///etc/passwd', false],
  ])('packaged app: %s -> %s', (url, allowed) => {
    expect(isAllowedDownload(url, fileEntry)).toBe(allowed);
  });
});

describe('IPC sender check (item 17)', () => {
  it.each([
    [`file://${RENDERER_FILE}`, true],
    [`file://${RENDERER_FILE}#/setup`, true],
    ['https://example.com/', false],
    ['about:blank', false],
    ['', false],
    [undefined, false],
  ])('packaged app: %s -> %s', (url, trusted) => {
    expect(isTrustedSender(url, fileEntry)).toBe(trusted);
  });
});

describe('permission requests (item 5)', () => {
  it.each(['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read', 'serial', 'hid', 'usb', 'fullscreen', 'unknown'])('denies %s', (permission) => {
    expect(isPermissionGranted(permission)).toBe(false);
  });
});

describe('URLs in log lines', () => {
  it('drops the query and fragment', () => {
    expect(urlForLog('https://example.com/login?token=abc#key=def')).toBe('https://example.com/login');
  });

  it('marks text that is not a URL', () => {
    expect(urlForLog('::')).toBe('(not a URL)');
  });
});
