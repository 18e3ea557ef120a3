// The port watcher: polls the port listing and the explicit paths, and reports each selected
// port that appears or disappears. A listing is not an event source on every platform, and an
// explicit path (a pty) is in no listing, so polling is the one method that covers both.
import { EventEmitter } from 'node:events';
import { access } from 'node:fs/promises';
import { getLogger } from '../log';
import { listSerialPorts, selectPorts, type DiscoveredPort, type PortSelection } from './discovery';

const log = getLogger('serial');

export const DEFAULT_POLL_INTERVAL_MS = 500;

export interface PortWatcherOptions {
  selection: PortSelection;
  pollIntervalMs?: number;
  /** Source of the listing; tests pass a fixed one. Default: serialport's listing. */
  listPorts?: () => Promise<DiscoveredPort[]>;
}

export interface PortWatcherEvents {
  appeared: [port: DiscoveredPort];
  disappeared: [path: string];
}

export class PortWatcher extends EventEmitter<PortWatcherEvents> {
  private readonly selection: PortSelection;
  private readonly pollIntervalMs: number;
  private readonly listPorts: () => Promise<DiscoveredPort[]>;
  private readonly present = new Map<string, DiscoveredPort>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> = Promise.resolve();
  private stopped = true;
  private listingFailed = false;

  constructor(options: PortWatcherOptions) {
    super();
    this.selection = options.selection;
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.listPorts = options.listPorts ?? listSerialPorts;
  }

  /** Starts polling; the first poll runs at once, so ports already there appear right away. */
  start(): void {
    if (!this.stopped) {
      return;
    }
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops polling and waits for a poll in progress to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.polling;
  }

  /** Paths of the selected ports that the last poll found. */
  presentPaths(): string[] {
    return [...this.present.keys()];
  }

  /** Returns the selected ports that the last poll found, with their USB identity. */
  presentPorts(): DiscoveredPort[] {
    return [...this.present.values()];
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.polling = this.poll().finally(() => {
        if (!this.stopped) {
          this.schedule(this.pollIntervalMs);
        }
      });
    }, delayMs);
  }

  private async poll(): Promise<void> {
    const found = await this.findPorts();
    if (this.stopped) {
      return;
    }

    for (const path of [...this.present.keys()]) {
      if (!found.has(path)) {
        this.present.delete(path);
        log.info({ path }, 'port disappeared');
        this.emit('disappeared', path);
      }
    }

    // Every new port is recorded before the first event, so a listener that compares a port
    // with the others present (two adapters with one serial number) finds them all.
    const appeared = [...found.values()].filter((port) => !this.present.has(port.path));
    for (const port of appeared) {
      this.present.set(port.path, port);
    }
    for (const port of appeared) {
      log.info({ path: port.path, vendorId: port.vendorId, productId: port.productId, serialNumber: port.serialNumber }, 'port appeared');
      this.emit('appeared', port);
    }
  }

  /** Returns the selected ports that exist now: listed ones, and explicit paths found on disk. */
  private async findPorts(): Promise<Map<string, DiscoveredPort>> {
    const listing = await this.readListing();
    const selected = selectPorts(listing, this.selection);
    const found = new Map<string, DiscoveredPort>();

    for (const port of selected) {
      if (!port.explicit || (await pathExists(port.path))) {
        found.set(port.path, port);
      }
    }
    return found;
  }

  private async readListing(): Promise<DiscoveredPort[]> {
    // Without listing rules only explicit paths count, so the listing is not read at all.
    if (this.selection.matches.length === 0 && this.selection.pathPatterns.length === 0) {
      return [];
    }
    try {
      const listing = await this.listPorts();
      this.listingFailed = false;
      return listing;
    } catch (error) {
      // Logged once per run of failures, because the poll repeats every half second.
      if (!this.listingFailed) {
        log.error({ err: error }, 'listing serial ports failed; only explicit paths are watched until it works again');
      }
      this.listingFailed = true;
      return [];
    }
  }
}

function pathExists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
