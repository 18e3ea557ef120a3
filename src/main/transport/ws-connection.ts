// One WebSocket client of the StationApi: each text message {id, call, args} goes through
// dispatchCall, which checks the call's arguments before any handler runs, and its reply goes
// back as {id, reply}. A reply to a message without a usable id could not be matched to its
// request, so such a message closes the connection, with a close code and a reason to show.
import WebSocket, { type RawData } from 'ws';
import type { StationCalls, WsServerMessage } from '../../shared/api';
import { getLogger } from '../log';
import { dispatchCall } from '../service/dispatch';

const log = getLogger('api');

/** RFC 6455 close codes used here. */
export const CLOSE_CODES = {
  goingAway: 1001,
  unsupportedData: 1003,
  invalidPayload: 1007,
  policyViolation: 1008,
} as const;

export type ParsedClientMessage = { ok: true; id: number; call: unknown; args: unknown } | { ok: false; closeCode: number; problem: string };

/**
 * Reads one client message. Only the envelope is checked here: an unknown call or invalid
 * arguments still get an invalid-call reply from dispatchCall, because the id lets the client
 * match it to its request.
 */
export function parseClientMessage(data: RawData, isBinary: boolean): ParsedClientMessage {
  if (isBinary) {
    return { ok: false, closeCode: CLOSE_CODES.unsupportedData, problem: 'Binary messages are not supported; send JSON text.' };
  }

  let message: unknown;
  try {
    message = JSON.parse(rawDataToString(data));
  } catch {
    return { ok: false, closeCode: CLOSE_CODES.invalidPayload, problem: 'The message is not valid JSON.' };
  }

  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    return { ok: false, closeCode: CLOSE_CODES.policyViolation, problem: 'A message must be a JSON object {id, call, args}.' };
  }
  const { id, call, args } = message as Record<string, unknown>;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
    return { ok: false, closeCode: CLOSE_CODES.policyViolation, problem: 'A message needs an id that is a whole number of 0 or more.' };
  }

  return { ok: true, id, call, args };
}

function rawDataToString(data: RawData): string {
  if (Array.isArray(data)) {
    return Buffer.concat(data).toString('utf8');
  }
  return data instanceof ArrayBuffer ? Buffer.from(data).toString('utf8') : data.toString('utf8');
}

/** Runs the calls arriving on `socket` and sends their replies until it closes. `clientId` only labels log lines. */
export function serveConnection(socket: WebSocket, service: StationCalls, clientId: number): void {
  socket.on('message', (data, isBinary) => {
    void answerMessage(socket, service, clientId, data, isBinary);
  });
}

async function answerMessage(socket: WebSocket, service: StationCalls, clientId: number, data: RawData, isBinary: boolean): Promise<void> {
  const message = parseClientMessage(data, isBinary);
  if (!message.ok) {
    log.warn({ client: clientId, closeCode: message.closeCode, problem: message.problem }, 'closed a WebSocket client that sent a malformed message');
    socket.close(message.closeCode, message.problem);
    return;
  }

  const reply = await dispatchCall(service, message.call, message.args);

  // The client may have disconnected while the call ran, and then the reply is dropped.
  if (socket.readyState === WebSocket.OPEN) {
    const answer: WsServerMessage = { id: message.id, reply };
    socket.send(JSON.stringify(answer));
  }
}
