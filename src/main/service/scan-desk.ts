// Scanned serial numbers for stations that name units by scan. A scan goes to the job that has
// waited longest for one; with no job waiting it is kept for the next new unit, and a later scan
// replaces it, so a mistaken scan is corrected by scanning again.
import type { ScanResult } from '../../shared/api';
import { StationError } from '../../shared/reasons';
import { checkScannedSerial } from '../../shared/scan';
import type { StationSetup } from '../../shared/setup';
import { getLogger } from '../log';
import type { Store } from '../store/store';

const log = getLogger('station');

interface Waiter {
  path: string;
  resolve: (serial: string) => void;
}

export class ScanDesk {
  private pending: string | undefined;
  private readonly waiters: Waiter[] = [];

  constructor(private readonly store: Store) {}

  scan(raw: string, naming: StationSetup['naming']): ScanResult {
    if (naming.mode !== 'scan') {
      throw new StationError('invalid-argument', 'this station names units by its naming rule, so it takes no scanned serial numbers; change the naming in Setup');
    }
    const check = checkScannedSerial(raw, naming.pattern);
    if (!check.ok) {
      return { accepted: false, hint: check.hint };
    }
    if (this.store.findUnitByName(check.serial) !== undefined) {
      return { accepted: false, hint: 'taken' };
    }

    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      log.info({ path: waiter.path, serial: check.serial }, 'scanned serial number given to the waiting unit');
      waiter.resolve(check.serial);
      return { accepted: true, serial: check.serial, port: waiter.path };
    }
    this.pending = check.serial;
    log.info({ serial: check.serial }, 'scanned serial number kept for the next unit');
    return { accepted: true, serial: check.serial, port: null };
  }

  /** Resolves with the kept scan at once, or with the next scan; rejects when `signal` aborts. */
  nameFor(path: string, signal: AbortSignal): Promise<string> {
    if (this.pending !== undefined) {
      const serial = this.pending;
      this.pending = undefined;
      return Promise.resolve(serial);
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { path, resolve };
      this.waiters.push(waiter);
      signal.addEventListener(
        'abort',
        () => {
          const index = this.waiters.indexOf(waiter);
          if (index !== -1) {
            this.waiters.splice(index, 1);
          }
          reject(new StationError('port-closed', `${path} went away while its unit waited for a scanned serial number`));
        },
        { once: true },
      );
    });
  }

  /** Drops a kept scan, when the naming changes. */
  clear(): void {
    this.pending = undefined;
  }
}
