import { describe, expect, it } from 'vitest';
import { parseFaultFlags } from '../../src/devkit/simulator';

describe('parseFaultFlags', () => {
  it('parses every documented fault', () => {
    const faults = parseFaultFlags(['drop-reply:commit', 'corrupt-reply:4:always', 'late-reply:1500', 'silent', 'boot-noise', 'hang-up:verify']);

    expect(faults.dropReply).toEqual({ command: 'commit' });
    expect(faults.corruptReply).toEqual({ request: 4, always: true });
    expect(faults.lateReplyMs).toBe(1500);
    expect(faults.silent).toBe(true);
    expect(faults.bootNoise).toBe(true);
    expect(faults.hangUpAt).toBe('verify');
  });

  it('parses the QA faults', () => {
    const faults = parseFaultFlags(['no-sign', 'wrong-key', 'no-network', 'drop-reply:connect']);

    expect(faults.noSign).toBe(true);
    expect(faults.wrongKey).toBe(true);
    expect(faults.noNetwork).toBe(true);
    expect(faults.dropReply).toEqual({ command: 'connect' });
  });

  it('rejects a value on a switch fault', () => {
    expect(() => parseFaultFlags(['no-sign:always'])).toThrow(/takes no value/);
  });

  it('targets the first request without an argument', () => {
    expect(parseFaultFlags(['drop-reply']).dropReply).toEqual({});
  });

  it('rejects an unknown fault, naming the valid ones', () => {
    expect(() => parseFaultFlags(['explode'])).toThrow(/unknown fault "explode"; use drop-reply, corrupt-reply/);
  });

  it('rejects an unknown step', () => {
    expect(() => parseFaultFlags(['hang-up:reboot'])).toThrow(/expected a step/);
  });

  it('rejects a late reply without milliseconds', () => {
    expect(() => parseFaultFlags(['late-reply'])).toThrow(/whole number/);
  });
});
