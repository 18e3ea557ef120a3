// The supervisor store: whether the settings are unlocked, and the PIN prompt's state.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { StationApi } from '../../../../shared/api';
import { UI_STRINGS } from '../../../../shared/messages';
import type { ReportError } from '../alerts/store';

export interface SupervisorState {
  /** Whether the station reported the settings unlocked: loaded, then kept by unlock results and 'supervisor' events. */
  unlocked: boolean;
  /** True when setupSave was rejected as locked, so the prompt shows even without a known PIN. */
  lockedBySave: boolean;
  checking: boolean;
  pinError: string | null;

  load: () => Promise<void>;
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

    async load() {
      try {
        set({ unlocked: (await api.supervisorState()).unlocked });
      } catch (error) {
        report(error);
      }
    },

    async unlock(pin) {
      set({ checking: true, pinError: null });
      try {
        const state = await api.supervisorUnlock(pin);
        if (state.unlocked) {
          set({ unlocked: true, lockedBySave: false });
        } else if (state.retryAfterMs !== null) {
          set({ pinError: UI_STRINGS.settings.pinBlocked(Math.ceil(state.retryAfterMs / 1000)) });
        } else {
          set({ pinError: UI_STRINGS.settings.wrongPin });
        }
        return state.unlocked;
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
