// The supervisor store: whether the settings are unlocked, and the PIN prompt's state.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { StationApi } from '../../../../shared/api';
import { UI_STRINGS } from '../../../../shared/messages';
import type { ReportError } from '../alerts/store';

export interface SupervisorState {
  /**
   * Whether the station reported the settings unlocked. The API has no call that returns it, so
   * this starts false and follows supervisorUnlock's results and the 'supervisor' events.
   */
  unlocked: boolean;
  /** True when setupSave was rejected as locked, so the prompt shows even without a known PIN. */
  lockedBySave: boolean;
  checking: boolean;
  pinError: string | null;

  unlock: (pin: string) => Promise<boolean>;
  lock: () => Promise<void>;
  /** Applies a 'supervisor' event. */
  applyUnlocked: (unlocked: boolean) => void;
  markLocked: () => void;
}

export function createSupervisorStore(api: StationApi, report: ReportError): StoreApi<SupervisorState> {
  return createStore<SupervisorState>((set) => ({
    unlocked: false,
    lockedBySave: false,
    checking: false,
    pinError: null,

    async unlock(pin) {
      set({ checking: true, pinError: null });
      try {
        const unlocked = await api.supervisorUnlock(pin);
        set(unlocked ? { unlocked: true, lockedBySave: false } : { pinError: UI_STRINGS.settings.wrongPin });
        return unlocked;
      } catch (error) {
        report(error);
        return false;
      } finally {
        set({ checking: false });
      }
    },

    async lock() {
      try {
        await api.supervisorLock();
        set({ unlocked: false });
      } catch (error) {
        report(error);
      }
    },

    applyUnlocked(unlocked) {
      set(unlocked ? { unlocked, lockedBySave: false, pinError: null } : { unlocked });
    },

    markLocked() {
      set({ unlocked: false, lockedBySave: true });
    },
  }));
}
