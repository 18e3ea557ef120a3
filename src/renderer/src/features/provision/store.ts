// The provisioning store: one PortJob per port, the shift counters, and the last scan's outcome.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { PortJob, ShiftCounters, StationApi } from '../../../../shared/api';
import { checkScannedSerial } from '../../../../shared/scan';
import type { ReportError } from '../alerts/store';
import { describeAcceptedScan, describeRejectedScan } from './scan-messages';

export interface ScanMessage {
  tone: 'accepted' | 'rejected';
  text: string;
}

export interface ProvisionState {
  /** In the order the ports appeared; an update keeps a port's place. */
  jobs: PortJob[];
  loaded: boolean;
  counters: ShiftCounters | undefined;
  scanMessage: ScanMessage | null;
  scanning: boolean;

  load: () => Promise<void>;
  applyJob: (job: PortJob) => void;
  removePort: (port: string) => void;
  applyCounters: (counters: ShiftCounters) => void;
  /** Checks a scan against `pattern` here first, so a wrong keyboard layout is named at once. */
  submitScan: (raw: string, pattern: string) => Promise<void>;
}

export function createProvisionStore(api: StationApi, report: ReportError): StoreApi<ProvisionState> {
  // Ports that events changed while portJobs() was under way. Its older list must not undo them.
  let changedDuringLoad: Set<string> | undefined;
  let countersEvents = 0;

  return createStore<ProvisionState>((set, get) => ({
    jobs: [],
    loaded: false,
    counters: undefined,
    scanMessage: null,
    scanning: false,

    async load() {
      changedDuringLoad = new Set();
      const countersBefore = countersEvents;
      const [jobs, counters] = await Promise.allSettled([api.portJobs(), api.shiftCounters()]);

      if (jobs.status === 'fulfilled') {
        set({ jobs: mergeLoaded(jobs.value, get().jobs, changedDuringLoad), loaded: true });
      } else {
        report(jobs.reason);
      }
      changedDuringLoad = undefined;

      if (counters.status === 'fulfilled' && countersEvents === countersBefore) {
        set({ counters: counters.value });
      } else if (counters.status === 'rejected') {
        report(counters.reason);
      }
    },

    applyJob(job) {
      changedDuringLoad?.add(job.port);
      set((state) => {
        const index = state.jobs.findIndex((each) => each.port === job.port);
        if (index === -1) {
          return { jobs: [...state.jobs, job] };
        }
        return { jobs: state.jobs.map((each, at) => (at === index ? job : each)) };
      });
    },

    removePort(port) {
      changedDuringLoad?.add(port);
      set((state) => ({ jobs: state.jobs.filter((job) => job.port !== port) }));
    },

    applyCounters(counters) {
      countersEvents += 1;
      set({ counters });
    },

    async submitScan(raw, pattern) {
      const check = checkScannedSerial(raw, pattern);
      if (!check.ok) {
        set({ scanMessage: { tone: 'rejected', text: describeRejectedScan(raw.trim(), check.hint, pattern) } });
        return;
      }

      set({ scanning: true });
      try {
        const result = await api.scanSerial(check.serial);
        set({
          scanMessage: result.accepted
            ? { tone: 'accepted', text: describeAcceptedScan(result.serial, result.port) }
            : { tone: 'rejected', text: describeRejectedScan(check.serial, result.hint, pattern) },
        });
      } catch (error) {
        set({ scanMessage: null });
        report(error);
      } finally {
        set({ scanning: false });
      }
    },
  }));
}

/**
 * Takes portJobs()'s list as the base, keeping the current version of ports that events changed
 * meanwhile, and ports that appeared only through those events.
 */
function mergeLoaded(loaded: PortJob[], current: PortJob[], changed: Set<string>): PortJob[] {
  const currentByPort = new Map(current.map((job) => [job.port, job]));
  const merged: PortJob[] = [];
  for (const job of loaded) {
    const kept = changed.has(job.port) ? currentByPort.get(job.port) : job;
    if (kept !== undefined) {
      merged.push(kept);
    }
  }
  for (const job of current) {
    if (changed.has(job.port) && !loaded.some((each) => each.port === job.port)) {
      merged.push(job);
    }
  }
  return merged;
}
