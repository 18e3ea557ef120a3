// Replies of the simulated device and the argument checks its command handlers share.
import { encodeFrame, MAX_REQUEST_ID } from '../../main/device/frame';
import type { DeviceErrorCode } from '../../main/device/protocol';

export interface Reply {
  verb: 'OK' | 'ERR' | 'BUSY';
  args: Record<string, string>;
}

export const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function ok(args: Record<string, string> = {}): Reply {
  return { verb: 'OK', args };
}

export function fail(code: DeviceErrorCode, detail?: string): Reply {
  return { verb: 'ERR', args: detail === undefined ? { code } : { code, detail } };
}

export function parseCount(text: string | undefined): number | undefined {
  return text !== undefined && /^\d{1,9}$/.test(text) ? Number(text) : undefined;
}

/** Returns how many data bytes fit, as base64 in `d`, beside `args` in one OK reply of `maxFrameSize` bytes. */
export function replyChunkBytes(maxFrameSize: number, args: Record<string, string>): number {
  const emptyReply = encodeFrame({ direction: '<', id: MAX_REQUEST_ID, verb: 'OK', args: { ...args, d: '' } });
  const chunkBytes = (Math.floor((maxFrameSize - emptyReply.length) / 4) * 4 * 3) / 4;
  return Math.max(chunkBytes, 3);
}

/** Shortens a failure detail until the ERR reply fits `maxFrameSize` bytes. */
export function fitDetail(maxFrameSize: number, code: DeviceErrorCode, detail: string): string {
  let text = detail;
  while (text.length > 0 && encodeFrame({ direction: '<', id: MAX_REQUEST_ID, verb: 'ERR', args: { code, detail: text } }).length > maxFrameSize) {
    text = text.slice(0, -1);
  }
  return text;
}
