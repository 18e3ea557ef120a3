// The StationApi over a WebSocket, for the page served by `station serve`. Each call is one
// {id, call, args} message; its {id, reply} settles the call through unwrapReply, so a failure
// rejects with StationCallError as it does over Electron IPC. The socket reconnects by itself
// with a growing delay. Events sent while it was down are lost, so a screen that must stay
// current reloads its data when the state returns to 'open' (see onConnectionState).
import {
  CALL_NAMES,
  unwrapReply,
  type CallName,
  type CallReply,
  type StationApi,
  type StationCalls,
  type StationEvent,
  type WsClientMessage,
  type WsServerMessage,
} from '../../../shared/api';

/** connecting: first attempt. open: calls work. reconnecting: waiting to try again. closed: close() was called. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Failure of a call that got no reply, because the connection was down or dropped. */
export class StationConnectionError extends Error {
  /** True when the request was sent, so the station may have run the call before the link dropped. */
  readonly sent: boolean;

  constructor(message: string, sent: boolean) {
    super(message);
    this.name = 'StationConnectionError';
    this.sent = sent;
  }
}

export interface WsStationClient extends StationApi {
  connectionState(): ConnectionState;
  /** Calls `listener` on every change of the connection state until the returned function is called. */
  onConnectionState(listener: (state: ConnectionState) => void): () => void;
  /** Closes the socket for good; pending and later calls reject. */
  close(): void;
}

/** The browser's WebSocket constructor, or one with the same interface (the `ws` package in tests). */
export type WebSocketConstructor = new (url: string) => WebSocket;

export interface WsClientOptions {
  /** WebSocket endpoint without the token, such as ws://127.0.0.1:41234/api. */
  url: string;
  token: string;
  WebSocket?: WebSocketConstructor;
  /** First reconnect delay; each failed attempt doubles it up to maxReconnectDelayMs. */
  initialReconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
}

const NOT_CONNECTED = 'Not connected to the station; reconnecting. Try again in a moment.';
const LOST_BEFORE_REPLY = 'The connection to the station dropped before it replied, so the action may or may not have run. Check the result before you try again.';

interface PendingCall {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** Connects at once and returns the client; calls made before the socket opens reject. */
export function createWsStationClient(options: WsClientOptions): WsStationClient {
  const SocketClass = options.WebSocket ?? WebSocket;
  const initialDelayMs = options.initialReconnectDelayMs ?? 500;
  const maxDelayMs = options.maxReconnectDelayMs ?? 10_000;

  const pending = new Map<number, PendingCall>();
  const eventListeners = new Set<(event: StationEvent) => void>();
  const stateListeners = new Set<(state: ConnectionState) => void>();
  let state: ConnectionState = 'connecting';
  let socket: WebSocket | undefined;
  let nextId = 1;
  let failedAttempts = 0;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;

  function setState(next: ConnectionState): void {
    if (next !== state) {
      state = next;
      for (const listener of [...stateListeners]) {
        listener(next);
      }
    }
  }

  function connect(): void {
    const current = new SocketClass(`${options.url}?token=${encodeURIComponent(options.token)}`);
    socket = current;
    current.addEventListener('open', () => {
      failedAttempts = 0;
      setState('open');
    });
    current.addEventListener('message', (message: MessageEvent) => receive(message.data));
    // A 'close' event follows every 'error' event, and the 'close' listener reconnects. This
    // listener is still needed, because the `ws` package throws an 'error' event without one.
    current.addEventListener('error', () => undefined);
    current.addEventListener('close', () => {
      if (socket === current) {
        socket = undefined;
        dropPending();
        scheduleReconnect();
      }
    });
  }

  function scheduleReconnect(): void {
    if (state === 'closed') {
      return;
    }
    setState('reconnecting');
    const delayMs = Math.min(maxDelayMs, initialDelayMs * 2 ** failedAttempts);
    failedAttempts += 1;
    reconnectTimer = setTimeout(connect, delayMs);
  }

  function dropPending(): void {
    for (const call of pending.values()) {
      call.reject(new StationConnectionError(LOST_BEFORE_REPLY, true));
    }
    pending.clear();
  }

  function receive(data: unknown): void {
    let message: WsServerMessage;
    try {
      message = JSON.parse(String(data)) as WsServerMessage;
    } catch {
      // The station only sends JSON; anything else is dropped rather than thrown into the socket.
      return;
    }
    if ('event' in message) {
      for (const listener of [...eventListeners]) {
        listener(message.event);
      }
      return;
    }
    const call = pending.get(message.id);
    if (call !== undefined) {
      pending.delete(message.id);
      settle(call, message.reply);
    }
  }

  function call(name: CallName, args: unknown[]): Promise<unknown> {
    if (socket === undefined || state !== 'open') {
      const message = state === 'closed' ? 'The connection to the station was closed.' : NOT_CONNECTED;
      return Promise.reject(new StationConnectionError(message, false));
    }
    const id = nextId++;
    const request: WsClientMessage = { id, call: name, args };
    const sending = socket;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      sending.send(JSON.stringify(request));
    });
  }

  // One function per call name, built from the list, so the cast is checked by CALL_NAMES alone.
  const calls = Object.fromEntries(CALL_NAMES.map((name) => [name, (...args: unknown[]) => call(name, args)])) as unknown as StationCalls;

  connect();

  return {
    ...calls,
    onEvent(listener) {
      eventListeners.add(listener);
      return () => {
        eventListeners.delete(listener);
      };
    },
    connectionState: () => state,
    onConnectionState(listener) {
      stateListeners.add(listener);
      return () => {
        stateListeners.delete(listener);
      };
    },
    close() {
      setState('closed');
      clearTimeout(reconnectTimer);
      const current = socket;
      socket = undefined;
      current?.close(1000, 'The page closed the connection.');
      for (const pendingCall of pending.values()) {
        pendingCall.reject(new StationConnectionError('The connection to the station was closed.', true));
      }
      pending.clear();
    },
  };
}

function settle(call: PendingCall, reply: CallReply): void {
  try {
    call.resolve(unwrapReply(reply));
  } catch (error) {
    call.reject(error as Error);
  }
}
