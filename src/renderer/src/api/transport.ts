// Picks the StationApi transport for this page. Inside the desktop app the preload provides
// window.station over Electron IPC. In a browser, the page served by `station serve` opens a
// WebSocket with the token from its URL, http://127.0.0.1:PORT/#token=TOKEN. The fragment
// never leaves the browser in a request. The token moves into sessionStorage and out of the
// address bar, so a reload of this tab keeps working while a copied address or a screenshot
// does not carry it. It is never written to localStorage or to a log.
import type { StationApi } from '../../../shared/api';
import { createWsStationClient, type WsStationClient } from './ws-client';

/** sessionStorage key of the token. */
const TOKEN_STORAGE_KEY = 'station.token';
/** Same value as API_PATH in src/main/transport/upgrade-check.ts. */
const API_PATH = '/api';

let webSocketClient: WsStationClient | undefined;

/**
 * Returns the station: window.station in the desktop app, else a WebSocket client when the
 * page has a token, else undefined (a page opened without the URL `station serve` printed).
 */
export function getStation(): StationApi | undefined {
  const preloaded = (window as { station?: StationApi }).station;
  if (preloaded !== undefined) {
    return preloaded;
  }
  return getWebSocketClient();
}

/** Returns the WebSocket client with its connection state, or undefined over IPC or without a token. */
export function getWebSocketClient(): WsStationClient | undefined {
  if (webSocketClient !== undefined) {
    return webSocketClient;
  }
  const token = takeTokenFromLocation() ?? readStoredToken();
  if (token === undefined) {
    return undefined;
  }
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  webSocketClient = createWsStationClient({ url: `${scheme}//${window.location.host}${API_PATH}`, token });
  return webSocketClient;
}

/** Reads #token=... from the address, stores it for this tab and removes it from the address bar. */
function takeTokenFromLocation(): string | undefined {
  const fragment = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  const token = fragment.get('token');
  if (token === null || token === '') {
    return undefined;
  }

  try {
    window.sessionStorage.setItem(TOKEN_STORAGE_KEY, token);
  } catch {
    // Storage may be disabled; the token then lasts until this page is reloaded.
  }
  fragment.delete('token');
  const rest = fragment.toString();
  window.history.replaceState(window.history.state, '', `${window.location.pathname}${window.location.search}${rest === '' ? '' : `#${rest}`}`);
  return token;
}

function readStoredToken(): string | undefined {
  try {
    return window.sessionStorage.getItem(TOKEN_STORAGE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}
