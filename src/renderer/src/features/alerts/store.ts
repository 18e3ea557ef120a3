// The alert region's store: the messages of calls that were rejected, until dismissed.
import { createStore, type StoreApi } from 'zustand/vanilla';
import { errorMessage } from '../../app/errors';

/** At most this many alerts stay on screen; older ones drop off first. */
const MAX_ALERTS = 5;

export interface Alert {
  id: number;
  text: string;
}

export interface AlertsState {
  alerts: Alert[];
  /** Shows the error's message; the same message again moves to the end instead of repeating. */
  report: (error: unknown) => void;
  dismiss: (id: number) => void;
}

/** The callback a store passes a rejected call's error to, for the alert region. */
export type ReportError = (error: unknown) => void;

export function createAlertsStore(): StoreApi<AlertsState> {
  let nextId = 1;

  return createStore<AlertsState>((set) => ({
    alerts: [],
    report(error) {
      const text = errorMessage(error);
      const alert = { id: nextId++, text };
      set((state) => ({ alerts: [...state.alerts.filter((other) => other.text !== text), alert].slice(-MAX_ALERTS) }));
    },
    dismiss(id) {
      set((state) => ({ alerts: state.alerts.filter((alert) => alert.id !== id) }));
    },
  }));
}
