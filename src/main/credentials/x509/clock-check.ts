// The clock check before certificates are issued: a certificate's notBefore is back-dated by a
// few minutes, so a station clock that is further off than that makes certificates the server
// or the device would reject as not yet valid (or valid too long).
import { StationError } from '../../../shared/reasons';
import type { Store } from '../../store/store';
import { SYNC_META } from '../../sync/engine';
import type { ServerConnection } from '../../thingsboard/connection';

/**
 * Measures the skew against the server when one is reachable, else uses the last recorded
 * skew, and throws 'station-clock-wrong' when it exceeds the back-dating.
 */
export async function checkStationClock(store: Store, connection: ServerConnection | undefined, backdateMinutes: number): Promise<void> {
  if (connection !== undefined) {
    try {
      await connection.client.login();
    } catch {
      // Offline is normal here: the last recorded skew is used instead, and sync reports the rest.
    }
    const contact = connection.client.lastContact();
    if (contact !== undefined) {
      store.setMeta(SYNC_META.serverClockSkewMs, String(contact.serverClockSkewMs));
    }
  }

  const recorded = store.getMeta(SYNC_META.serverClockSkewMs);
  const skewMs = recorded === undefined ? 0 : Number(recorded);
  if (Math.abs(skewMs) > backdateMinutes * 60_000) {
    const minutes = Math.round(Math.abs(skewMs) / 60_000);
    throw new StationError(
      'station-clock-wrong',
      `the station clock is ${minutes} minutes ${skewMs > 0 ? 'behind' : 'ahead of'} the server's, more than the ${backdateMinutes}-minute back-dating of certificates`,
    );
  }
}
