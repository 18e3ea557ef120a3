// The supervisor lock over the station settings. The PIN is kept as a salted scrypt hash in
// station_meta. A right PIN unlocks the settings for five minutes. Five wrong PINs in a row
// block further tries for a minute, because a 4-digit PIN falls quickly to guessing.
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { SupervisorState } from '../../shared/api';
import type { Store } from '../store/store';

const PIN_META = 'supervisor.pin_hash';
/** How long the settings stay unlocked after a right PIN. */
export const UNLOCK_MS = 5 * 60_000;
const MAX_WRONG_PINS = 5;
const BLOCK_MS = 60_000;
const SCRYPT_COST = 2 ** 14;
const HASH_BYTES = 32;

export class Supervisor {
  private unlockedUntil = 0;
  private wrongPins = 0;
  private blockedUntil = 0;
  private relockTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly onChange: (unlocked: boolean) => void,
    private readonly now: () => number = Date.now,
  ) {}

  get pinSet(): boolean {
    return this.store.getMeta(PIN_META) !== undefined;
  }

  /** True when no PIN is set yet, or a right PIN was given within the unlock time. */
  get unlocked(): boolean {
    return !this.pinSet || this.now() < this.unlockedUntil;
  }

  /**
   * Saves a new PIN. The first PIN locks the settings, which were open while none was set, so it
   * reports the change. A PIN changed while the settings are unlocked keeps them unlocked.
   */
  setPin(pin: string): void {
    const wasUnlocked = this.unlocked;
    const salt = randomBytes(16);
    const hash = scryptSync(pin, salt, HASH_BYTES, { N: SCRYPT_COST });
    this.store.setMeta(PIN_META, `scrypt:${SCRYPT_COST}:${salt.toString('base64')}:${hash.toString('base64')}`);
    if (wasUnlocked && !this.unlocked) {
      this.onChange(false);
    }
  }

  state(): SupervisorState {
    const blockedForMs = this.blockedUntil - this.now();
    return { unlocked: this.unlocked, retryAfterMs: blockedForMs > 0 ? blockedForMs : null };
  }

  /** Checks the PIN and unlocks when it is right. While wrong PINs block tries, no PIN is checked. */
  unlock(pin: string): SupervisorState {
    if (this.now() < this.blockedUntil) {
      this.store.recordAudit('supervisor-unlock-blocked', null, {});
      return this.state();
    }
    if (!this.matches(pin)) {
      this.wrongPins += 1;
      if (this.wrongPins >= MAX_WRONG_PINS) {
        this.blockedUntil = this.now() + BLOCK_MS;
        this.wrongPins = 0;
      }
      this.store.recordAudit('supervisor-unlock-failed', null, {});
      return this.state();
    }

    this.wrongPins = 0;
    this.unlockedUntil = this.now() + UNLOCK_MS;
    clearTimeout(this.relockTimer);
    this.relockTimer = setTimeout(() => this.lock(), UNLOCK_MS);
    this.relockTimer.unref();
    this.store.recordAudit('supervisor-unlocked', null, {});
    this.onChange(true);
    return this.state();
  }

  lock(): void {
    clearTimeout(this.relockTimer);
    const wasUnlocked = this.unlockedUntil > 0;
    this.unlockedUntil = 0;
    if (wasUnlocked) {
      this.onChange(false);
    }
  }

  dispose(): void {
    clearTimeout(this.relockTimer);
  }

  private matches(pin: string): boolean {
    const saved = this.store.getMeta(PIN_META);
    if (saved === undefined) {
      return true;
    }
    const [scheme, cost, salt, hash] = saved.split(':');
    if (scheme !== 'scrypt' || cost === undefined || salt === undefined || hash === undefined) {
      return false;
    }
    const expected = Buffer.from(hash, 'base64');
    const actual = scryptSync(pin, Buffer.from(salt, 'base64'), expected.length, { N: Number(cost) });
    return timingSafeEqual(actual, expected);
  }
}
