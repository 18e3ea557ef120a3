// Applies the window's security rules in Electron: the options from mainWindowOptions, the
// Content-Security-Policy header, and the guards on navigation, new windows, permissions,
// downloads and requests. The rules themselves are the pure predicates in navigation.ts.
import { app, BrowserWindow, type Session, type WebContents } from 'electron';
import { getLogger } from '../log';
import { withContentSecurityPolicy } from './content-security-policy';
import { isAllowedDownload, isAllowedNavigation, isAllowedRequest, isPermissionGranted, urlForLog, type AppEntry } from './navigation';
import { mainWindowOptions } from './window-options';

const log = getLogger('app');

/** Installs the session-wide rules: permissions, the policy header, requests and downloads. */
export function hardenSession(session: Session, entry: AppEntry): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    const granted = isPermissionGranted(permission);
    log.warn({ permission, granted }, 'the page requested a permission');
    callback(granted);
  });
  session.setPermissionCheckHandler((_contents, permission) => isPermissionGranted(permission));
  // WebUSB, WebHID and Web Serial: the main process owns the hardware, never the page.
  session.setDevicePermissionHandler(() => false);

  session.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isAllowedRequest(details.url, entry);
    if (!allowed) {
      log.warn({ url: urlForLog(details.url) }, 'blocked a request to a location outside the app');
    }
    callback({ cancel: !allowed });
  });
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders) });
  });

  session.on('will-download', (event, item) => {
    if (!isAllowedDownload(item.getURL(), entry)) {
      log.warn({ url: urlForLog(item.getURL()) }, 'blocked a download that the page did not make');
      event.preventDefault();
    }
  });
}

/** Keeps every web contents of the app on the app's page: no navigation away, no new windows, no webviews. */
export function guardAllWebContents(entry: AppEntry): void {
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, entry));
}

function guardWebContents(contents: WebContents, entry: AppEntry): void {
  contents.on('will-navigate', (event) => {
    if (!isAllowedNavigation(event.url, entry)) {
      log.warn({ url: urlForLog(event.url) }, 'blocked a navigation away from the app');
      event.preventDefault();
    }
  });
  contents.on('will-redirect', (event) => {
    if (!isAllowedNavigation(event.url, entry)) {
      log.warn({ url: urlForLog(event.url) }, 'blocked a redirect away from the app');
      event.preventDefault();
    }
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    log.warn({ url: urlForLog(url) }, 'blocked a new window');
    return { action: 'deny' };
  });
}

/** Opens the station's window on the app's page and shows it once the page has drawn. */
export function openMainWindow(entry: AppEntry, preloadPath: string): BrowserWindow {
  const window = new BrowserWindow(mainWindowOptions({ preloadPath, devTools: !app.isPackaged }));
  window.once('ready-to-show', () => window.show());

  const loading = entry.kind === 'file' ? window.loadFile(entry.file) : window.loadURL(entry.url);
  loading.catch((error: unknown) => log.error({ err: error, url: entry.url }, 'the window failed to load the app page'));
  return window;
}
