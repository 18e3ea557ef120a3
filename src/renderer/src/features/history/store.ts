// The history store: units matching the search text, and the CSV export of the same search.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { HistoryEntry, StationApi } from '../../../../shared/api';
import type { ReportError } from '../alerts/store';
import { downloadText } from './download';

/** Rows the screen shows; the export takes up to the API's limit instead. */
export const HISTORY_SHOWN = 200;
const EXPORT_LIMIT = 10_000;

export interface HistoryState {
  text: string;
  entries: HistoryEntry[];
  loaded: boolean;
  exporting: boolean;

  search: (text: string) => Promise<void>;
  exportCsv: () => Promise<void>;
}

export interface HistoryStoreOptions {
  api: StationApi;
  report: ReportError;
  /** Saves the export; the browser download in the app, a recorder in tests. */
  saveFile?: (fileName: string, text: string, type: string) => void;
}

export function createHistoryStore({ api, report, saveFile = downloadText }: HistoryStoreOptions): StoreApi<HistoryState> {
  // Numbers each search, so the result for an older text never replaces a newer one.
  let searches = 0;

  return createStore<HistoryState>((set, get) => ({
    text: '',
    entries: [],
    loaded: false,
    exporting: false,

    async search(text) {
      const search = ++searches;
      set({ text });
      try {
        const entries = await api.historySearch({ text, limit: HISTORY_SHOWN });
        if (search === searches) {
          set({ entries, loaded: true });
        }
      } catch (error) {
        report(error);
      }
    },

    async exportCsv() {
      set({ exporting: true });
      try {
        const { fileName, csv } = await api.historyExport({ text: get().text, limit: EXPORT_LIMIT });
        saveFile(fileName, csv, 'text/csv;charset=utf-8');
      } catch (error) {
        report(error);
      } finally {
        set({ exporting: false });
      }
    },
  }));
}
