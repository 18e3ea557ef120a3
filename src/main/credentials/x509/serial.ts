// Certificate serial numbers: 16 random bytes, positive and non-zero, unique per station.
import { randomBytes } from 'node:crypto';
import { StationError } from '../../../shared/reasons';

/** Random octets per serial, of which 127 bits are random. RFC 5280 allows at most 20 octets. */
export const SERIAL_BYTES = 16;

/** Attempts before giving up. With 127 random bits a second attempt already means a broken RNG or log. */
export const MAX_SERIAL_ATTEMPTS = 8;

export type RandomSource = (size: number) => Buffer;

/**
 * Draws a serial number that `isTaken` does not know yet. The top bit is cleared, so the value
 * is below 2^127 and its DER INTEGER takes at most 16 octets, sign octet included. Leading zero
 * octets are dropped so the hex has one spelling, and an all-zero draw is discarded. Returns
 * lowercase hex, the same text @peculiar/x509 reports as the certificate's `serialNumber`.
 */
export function newSerialNumber(isTaken: (serialHex: string) => boolean, random: RandomSource = randomBytes): string {
  for (let attempt = 0; attempt < MAX_SERIAL_ATTEMPTS; attempt += 1) {
    const octets = random(SERIAL_BYTES);
    octets[0] = (octets[0] ?? 0) & 0x7f;

    const firstNonZero = octets.findIndex((octet) => octet !== 0);
    if (firstNonZero === -1) {
      continue;
    }
    const serialHex = octets.subarray(firstNonZero).toString('hex');
    if (!isTaken(serialHex)) {
      return serialHex;
    }
  }
  throw new StationError('internal', `no unused certificate serial number after ${MAX_SERIAL_ATTEMPTS} random draws`);
}
