// Navigation and request rules of the main window: it may show and load only the app's own
// page, which is the built renderer on file:// or, in development, electron-vite's dev server on
// loopback. The predicates are pure, so tests run tables of URLs through them without Electron.
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export type AppEntry =
  | { kind: 'file'; url: string; file: string; folder: string }
  | { kind: 'dev-server'; url: string; origin: string };

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/**
 * Chooses the page the window loads: the development server when electron-vite set
 * ELECTRON_RENDERER_URL, else the built index.html. A development server that is not on
 * loopback, or not plain HTTP(S), is rejected, because its scripts would run with the
 * preload's API.
 */
export function appEntryFor(options: { devServerUrl?: string | undefined; rendererFile: string }): AppEntry {
  if (options.devServerUrl === undefined || options.devServerUrl === '') {
    const file = resolve(options.rendererFile);
    return { kind: 'file', url: pathToFileURL(file).href, file, folder: dirname(file) };
  }

  const parsed = parse(options.devServerUrl);
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || !LOOPBACK_HOSTS.has(parsed.hostname)) {
    throw new Error(`ELECTRON_RENDERER_URL must be an http:// address on localhost, 127.0.0.1 or [::1], not "${options.devServerUrl}"`);
  }
  return { kind: 'dev-server', url: parsed.href, origin: parsed.origin };
}

/** Tells whether a file:// URL names a file inside the built renderer's folder. */
function isInsideFolder(url: URL, folder: string): boolean {
  if (url.protocol !== 'file:' || (url.host !== '' && url.host !== 'localhost')) {
    return false;
  }
  const path = relative(folder, fileURLToPath(url));
  return path !== '' && !path.startsWith('..') && !isAbsolute(path);
}

/**
 * Tells whether the window may navigate, or follow a redirect, to `url`: only to the app's own
 * page. A reload or a new #fragment of the page is allowed. Anything else, such as a link to a
 * website or another local file, is not.
 */
export function isAllowedNavigation(url: string, entry: AppEntry): boolean {
  const parsed = parse(url);
  if (parsed === undefined) {
    return false;
  }
  if (entry.kind === 'dev-server') {
    return parsed.origin === entry.origin;
  }
  return parsed.protocol === 'file:' && (parsed.host === '' || parsed.host === 'localhost') && fileURLToPath(parsed) === entry.file;
}

/**
 * Tells whether a request from the window may proceed. The page may load its own files, talk to
 * the development server (its WebSocket included), open blob: URLs it made itself (the history
 * export) and DevTools' own pages. Every other request, to the network above all, is cancelled.
 */
export function isAllowedRequest(url: string, entry: AppEntry): boolean {
  const parsed = parse(url);
  if (parsed === undefined) {
    return false;
  }
  if (parsed.protocol === 'devtools:') {
    return true;
  }
  if (parsed.protocol === 'blob:') {
    return isAllowedBlob(parsed, entry);
  }
  if (entry.kind === 'dev-server') {
    const sameHost = parsed.host === new URL(entry.origin).host;
    const scheme = parsed.protocol;
    return sameHost && (scheme === 'http:' || scheme === 'https:' || scheme === 'ws:' || scheme === 'wss:');
  }
  return isInsideFolder(parsed, entry.folder);
}

/**
 * Checks that a blob: URL was made by the app's page, from the origin the URL carries. A page on
 * file:// has an opaque origin, which Chromium writes as blob:file:/// or blob:null/.
 */
function isAllowedBlob(parsed: URL, entry: AppEntry): boolean {
  if (entry.kind === 'file') {
    return parsed.pathname.startsWith('file:') || parsed.pathname.startsWith('null/');
  }
  return parse(parsed.pathname)?.origin === entry.origin;
}

/** Tells whether a download may start: only the files the page itself makes as blob: URLs. */
export function isAllowedDownload(url: string, entry: AppEntry): boolean {
  const parsed = parse(url);
  return parsed !== undefined && parsed.protocol === 'blob:' && isAllowedBlob(parsed, entry);
}

/**
 * Tells whether an IPC message comes from the app's own page. A frame that navigated elsewhere
 * despite the guards, or an embedded frame, gets no StationApi.
 */
export function isTrustedSender(frameUrl: string | undefined, entry: AppEntry): boolean {
  return frameUrl !== undefined && isAllowedNavigation(frameUrl, entry);
}

/** Denies every browser permission (camera, notifications, clipboard read, ...), because the station needs none. */
export function isPermissionGranted(_permission: string): boolean {
  return false;
}

/** Shortens a URL for a log line: scheme, host and path, without the query or fragment, which may carry tokens. */
export function urlForLog(url: string): string {
  const parsed = parse(url);
  if (parsed === undefined) {
    return '(not a URL)';
  }
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`.slice(0, 200);
}
