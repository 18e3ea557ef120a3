import { describe, expect, it } from 'vitest';
import {
  crc32,
  decodeText,
  encodeFrame,
  encodeText,
  LineSplitter,
  parseLine,
  type Frame,
} from '../../src/main/device/frame';
import { commitDigest, sha256Hex, writeChunkBytes } from '../../src/main/device/protocol';

function lines(frameText: string): string {
  return frameText.replace(/\n$/, '');
}

describe('crc32', () => {
  it('matches the CRC-32/ISO-HDLC check value', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
  });
});

describe('frame codec', () => {
  const frame: Frame = {
    direction: '>',
    id: 42,
    verb: 'GENKEY',
    args: { alg: 'ec-p256', cn: 'Zähler 7*line=2', gen: '' },
  };

  it('round-trips a frame with text arguments', () => {
    const parsed = parseLine(lines(encodeFrame(frame)));
    expect(parsed).toEqual({ kind: 'frame', frame });
  });

  it('encodes the documented HELLO example', () => {
    // Checked against Python's zlib.crc32(b'>1 HELLO').
    expect(encodeFrame({ direction: '>', id: 1, verb: 'HELLO', args: {} })).toBe('>1 HELLO*FBBBA6DD\n');
  });

  it('accepts a CR before the LF', () => {
    const parsed = parseLine(lines(encodeFrame(frame)) + '\r');
    expect(parsed.kind).toBe('frame');
  });

  it('rejects a flipped byte anywhere in the frame', () => {
    const text = lines(encodeFrame(frame));
    for (let i = 1; i < text.length; i++) {
      const damaged = text.slice(0, i) + String.fromCharCode(text.charCodeAt(i) ^ 0x04) + text.slice(i + 1);
      expect(parseLine(damaged).kind, `byte ${i} flipped`).toBe('damaged');
    }
  });

  it('treats lines without a frame marker as noise', () => {
    expect(parseLine('I (31) boot: ESP-IDF v5.1 2nd stage bootloader')).toEqual({ kind: 'noise' });
    expect(parseLine('')).toEqual({ kind: 'noise' });
  });

  it('rejects a frame with a valid checksum but bad syntax', () => {
    const body = '<12 OK novalue';
    expect(parseLine(`${body}*${crc32(body).toString(16).toUpperCase().padStart(8, '0')}`).kind).toBe('damaged');
  });

  it('keeps the request id of a reply', () => {
    const reply = parseLine(lines(encodeFrame({ direction: '<', id: 999_999, verb: 'OK', args: { have: '3' } })));
    expect(reply.kind === 'frame' ? reply.frame.id : undefined).toBe(999_999);
  });

  it('rejects ids outside the allowed range', () => {
    expect(() => encodeFrame({ ...frame, id: 1_000_000 })).toThrow(RangeError);
  });
});

describe('text encoding', () => {
  it('escapes spaces, percent, star and non-ASCII bytes', () => {
    expect(encodeText('a b%c*d=é')).toBe('a%20b%25c%2Ad=%C3%A9');
  });

  it('rejects bytes that are not UTF-8', () => {
    expect(() => decodeText('%FF')).toThrow();
  });
});

describe('LineSplitter', () => {
  it('splits lines across chunk boundaries', () => {
    const seen: string[] = [];
    const splitter = new LineSplitter(64, (line) => seen.push(line));
    splitter.push(Buffer.from('boot log\r\n>1 HE'));
    splitter.push(Buffer.from('LLO*FBBBA6DD\n'));
    expect(seen).toEqual(['boot log\r', '>1 HELLO*FBBBA6DD']);
  });

  it('discards a line longer than the buffer and keeps the next one', () => {
    const seen: string[] = [];
    let overflows = 0;
    const splitter = new LineSplitter(8, (line) => seen.push(line), () => (overflows += 1));
    splitter.push(Buffer.from('12345678'));
    splitter.push(Buffer.from('9\nshort\n1234567\n'));
    expect(seen).toEqual(['short', '1234567']);
    expect(overflows).toBe(1);
  });
});

describe('protocol helpers', () => {
  it('sizes WRITE chunks to fit the frame', () => {
    const bytes = writeChunkBytes('certificate', 10_000, 256);
    const longest = encodeFrame({
      direction: '>',
      id: 999_999,
      verb: 'WRITE',
      args: { f: 'certificate', off: '10000', len: '10000', d: Buffer.alloc(bytes).toString('base64') },
    });
    expect(bytes).toBeGreaterThan(0);
    expect(longest.length).toBeLessThanOrEqual(256);
  });

  it('computes the COMMIT digest over name and value digest lines', () => {
    const digest = commitDigest([['token', sha256Hex('abc')]]);
    expect(digest).toBe(sha256Hex(`token:${sha256Hex('abc')}\n`));
  });
});
