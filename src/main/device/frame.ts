// Frame codec for the device protocol described in docs/device-protocol.md. Pure functions
// only: the protocol client and the device simulator both build on them.
//
// A frame is one ASCII line: `<dir><id> <VERB>[ <key>=<value>]...*<CRC-32 as 8 hex digits>\n`.

export type Direction = '>' | '<';

/** Sent by the station (`>`) or by the device (`<`). */
export interface Frame {
  direction: Direction;
  id: number;
  verb: string;
  /** Argument values, already percent-decoded, in the order they appear on the line. */
  args: Record<string, string>;
}

export type ParsedLine =
  | { kind: 'frame'; frame: Frame }
  /** Starts like a frame but fails the checksum or the syntax: a damaged frame. */
  | { kind: 'damaged'; reason: string }
  /** Anything else, such as a boot log line. */
  | { kind: 'noise' };

/** Largest request id; ids wrap around to 1 after it. */
export const MAX_REQUEST_ID = 999_999;

const VERB_PATTERN = /^[A-Z]{1,16}$/;
const KEY_PATTERN = /^[a-z][a-z0-9_]{0,15}$/;
const CRC_PATTERN = /^[0-9A-F]{8}$/;

const CRC32_TABLE = buildCrc32Table();

function buildCrc32Table(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let bit = 0; bit < 8; bit++) {
      c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    table[n] = c >>> 0;
  }
  return table;
}

/** Computes CRC-32/ISO-HDLC (the zlib and Ethernet CRC) of the bytes of an ASCII or latin1 string. */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) {
    const index = (crc ^ text.charCodeAt(i)) & 0xff;
    crc = (CRC32_TABLE[index] ?? 0) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function crcHex(text: string): string {
  return crc32(text).toString(16).toUpperCase().padStart(8, '0');
}

/**
 * Percent-encodes the UTF-8 bytes of `text` so it fits in one argument value: every byte
 * outside `!`..`~`, and the bytes of `%` and `*`, become `%XX`.
 */
export function encodeText(text: string): string {
  let encoded = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const literal = byte > 0x20 && byte < 0x7f && byte !== 0x25 && byte !== 0x2a;
    encoded += literal ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

/** Reverses encodeText; throws on a malformed escape or on bytes that are not UTF-8. */
export function decodeText(encoded: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; i++) {
    const char = encoded.charCodeAt(i);
    if (char !== 0x25) {
      bytes.push(char);
      continue;
    }
    const hex = encoded.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) {
      throw new Error(`invalid percent escape at position ${i}`);
    }
    bytes.push(parseInt(hex, 16));
    i += 2;
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
}

/** Joins names into one comma-separated argument value; a name must not contain a comma. */
export function encodeList(items: readonly string[]): string {
  if (items.some((item) => item.includes(','))) {
    throw new RangeError('a list item contains a comma');
  }
  return items.join(',');
}

/** Splits a comma-separated argument value; an empty value is an empty list. */
export function decodeList(value: string): string[] {
  return value === '' ? [] : value.split(',');
}

/** Encodes a frame as the full line, including the trailing LF. */
export function encodeFrame(frame: Frame): string {
  if (!Number.isInteger(frame.id) || frame.id < 0 || frame.id > MAX_REQUEST_ID) {
    throw new RangeError(`request id ${frame.id} is outside 0..${MAX_REQUEST_ID}`);
  }
  if (!VERB_PATTERN.test(frame.verb)) {
    throw new RangeError(`invalid verb "${frame.verb}"`);
  }

  let body = `${frame.direction}${frame.id} ${frame.verb}`;
  for (const [key, value] of Object.entries(frame.args)) {
    if (!KEY_PATTERN.test(key)) {
      throw new RangeError(`invalid argument key "${key}"`);
    }
    body += ` ${key}=${encodeText(value)}`;
  }
  return `${body}*${crcHex(body)}\n`;
}

/**
 * Parses one line without its LF (a trailing CR is ignored). A line that does not start
 * with `<` or `>` is noise; one that does but fails the checks is a damaged frame.
 */
export function parseLine(rawLine: string): ParsedLine {
  const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
  const direction = line[0];
  if (direction !== '<' && direction !== '>') {
    return { kind: 'noise' };
  }

  const star = line.lastIndexOf('*');
  if (star < 0) {
    return { kind: 'damaged', reason: 'no checksum' };
  }
  const body = line.slice(0, star);
  const checksum = line.slice(star + 1);
  if (!CRC_PATTERN.test(checksum)) {
    return { kind: 'damaged', reason: 'malformed checksum' };
  }
  if (crcHex(body) !== checksum) {
    return { kind: 'damaged', reason: 'checksum mismatch' };
  }

  return parseBody(direction, body.slice(1));
}

function parseBody(direction: Direction, body: string): ParsedLine {
  const [idText, verb, ...pairs] = body.split(' ');
  if (idText === undefined || !/^\d{1,6}$/.test(idText) || verb === undefined || !VERB_PATTERN.test(verb)) {
    return { kind: 'damaged', reason: 'malformed id or verb' };
  }

  const args: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    const key = pair.slice(0, equals);
    if (equals < 0 || !KEY_PATTERN.test(key) || key in args) {
      return { kind: 'damaged', reason: 'malformed argument' };
    }
    try {
      args[key] = decodeText(pair.slice(equals + 1));
    } catch {
      return { kind: 'damaged', reason: `malformed value of ${key}` };
    }
  }
  return { kind: 'frame', frame: { direction, id: Number(idText), verb, args } };
}

/**
 * Splits a byte stream into lines, as a UART receive buffer of `maxLineBytes` would. A line
 * longer than that (counting its LF) is discarded up to the next LF, and `onOverflow` runs once
 * for it, so `onLine` never gets part of it.
 */
export class LineSplitter {
  private pending = '';
  private discarding = false;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onLine: (line: string) => void,
    private readonly onOverflow: () => void = () => undefined,
  ) {}

  push(chunk: Buffer): void {
    // latin1 maps each byte to one char, so string length equals byte length.
    let text = chunk.toString('latin1');
    while (text.length > 0) {
      const newline = text.indexOf('\n');
      const piece = newline < 0 ? text : text.slice(0, newline);
      text = newline < 0 ? '' : text.slice(newline + 1);
      this.take(piece, newline >= 0);
    }
  }

  private take(piece: string, endsLine: boolean): void {
    if (!this.discarding) {
      this.pending += piece;
      // The LF counts towards the limit.
      if (this.pending.length + 1 > this.maxLineBytes) {
        this.pending = '';
        this.discarding = true;
        this.onOverflow();
      }
    }
    if (!endsLine) {
      return;
    }
    if (this.discarding) {
      this.discarding = false;
      return;
    }
    const line = this.pending;
    this.pending = '';
    this.onLine(line);
  }
}
