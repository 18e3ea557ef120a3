import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createIssuer } from '../../src/main/credentials/x509/create-issuer';
import { signForPublicKey } from '../../src/main/credentials/x509/issue';
import { newSerialNumber, SERIAL_BYTES } from '../../src/main/credentials/x509/serial';

describe('certificate serial numbers', () => {
  it('stay positive and unique over 10,000 certificates', async () => {
    const issuer = await createIssuer({ name: 'station-serials' });
    // One key pair for every leaf keeps the test fast; the serial comes from the real path.
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const used = new Set<string>();

    for (let index = 0; index < 10_000; index += 1) {
      const certificate = await signForPublicKey(`unit-${index}`, publicKey, issuer, { isSerialTaken: (serial) => used.has(serial) });
      const serial = certificate.serialNumber;
      const value = BigInt(`0x${serial}`);

      expect(used.has(serial)).toBe(false);
      expect(value > 0n).toBe(true);
      // Below 2^127, the DER INTEGER needs at most 16 octets, sign octet included.
      expect(value < 2n ** BigInt(8 * SERIAL_BYTES - 1)).toBe(true);
      used.add(serial);
    }
    expect(used.size).toBe(10_000);
  }, 180_000);

  it('draws again on a clash', () => {
    const draws = [Buffer.alloc(16, 0x11), Buffer.alloc(16, 0x11), Buffer.alloc(16, 0x22)];
    const taken = new Set(['11'.repeat(16)]);
    const serial = newSerialNumber((candidate) => taken.has(candidate), () => draws.shift() ?? Buffer.alloc(16));

    expect(serial).toBe('22'.repeat(16));
    expect(draws).toHaveLength(0);
  });

  it('clears the sign bit and drops leading zeros', () => {
    const leadingZero = Buffer.concat([Buffer.from([0x80, 0x00]), Buffer.alloc(14, 0x33)]);
    expect(newSerialNumber(() => false, () => Buffer.from(leadingZero))).toBe('33'.repeat(14));
  });

  it('skips an all-zero draw', () => {
    const draws = [Buffer.alloc(16, 0), Buffer.alloc(16, 0x44)];
    expect(newSerialNumber(() => false, () => draws.shift() ?? Buffer.alloc(16))).toBe('44'.repeat(16));
  });

  it('gives up when every draw clashes', () => {
    expect(() => newSerialNumber(() => true)).toThrow(/no unused certificate serial number/);
  });
});
