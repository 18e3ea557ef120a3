// Port discovery: the serial ports the operating system lists, with their USB identity, and
// the filter that picks the station's ports from them. A station config names ports by USB
// vendor and product id (`--match VID:PID`), by path pattern, or by explicit path. Explicit
// paths cover ports that no listing shows, such as the pty pairs of tests and demos.
import type { PortInfo } from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };
import { SerialPort } from 'serialport';
import { StationError } from '../../shared/reasons';

/** A serial port with the USB identity its listing reports. */
export interface DiscoveredPort {
  path: string;
  /** USB vendor id, four lowercase hex digits; undefined for a port that is not USB. */
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
  /** Position on the USB bus, from pnpId (Linux, Windows) or locationId (macOS). */
  location?: string;
  manufacturer?: string;
  /** Identity given with an explicit path (`--port PATH=IDENTITY`), for ports that report none. */
  identity?: string;
  /** True for a configured path that the listing did not show. */
  explicit: boolean;
}

/** USB identity to match: vendor id, and product id unless any product of the vendor is wanted. */
export interface UsbMatch {
  vendorId: string;
  productId?: string;
}

export interface PortSelection {
  /** Paths the station serves whether or not a listing shows them. */
  paths: readonly string[];
  matches: readonly UsbMatch[];
  /** Glob patterns on the path, where `*` matches any run of characters and `?` one character. */
  pathPatterns: readonly string[];
  /** Identities given for explicit paths, by path. */
  identities?: ReadonlyMap<string, string>;
}

// serialport's `list` is typed through a CommonJS-only import that ESM code cannot resolve.
const listPorts = SerialPort.list as unknown as () => Promise<PortInfo[]>;

/** Lists the ports the operating system reports, with their USB identity. */
export async function listSerialPorts(): Promise<DiscoveredPort[]> {
  const ports = await listPorts();
  return ports.map(toDiscoveredPort);
}

export function toDiscoveredPort(info: PortInfo): DiscoveredPort {
  const port: DiscoveredPort = { path: info.path, explicit: false };
  const vendorId = normalizeHexId(info.vendorId);
  const productId = normalizeHexId(info.productId);
  const location = info.pnpId ?? info.locationId;

  if (vendorId !== undefined) {
    port.vendorId = vendorId;
  }
  if (productId !== undefined) {
    port.productId = productId;
  }
  if (info.serialNumber !== undefined && info.serialNumber !== '') {
    port.serialNumber = info.serialNumber;
  }
  if (location !== undefined && location !== '') {
    port.location = location;
  }
  if (info.manufacturer !== undefined && info.manufacturer !== '') {
    port.manufacturer = info.manufacturer;
  }
  return port;
}

/**
 * Selects the station's ports from a listing: listed ports that match a USB id or a path
 * pattern, then every explicit path, listed or not. Each path appears once, in listing order.
 */
export function selectPorts(listing: readonly DiscoveredPort[], selection: PortSelection): DiscoveredPort[] {
  const patterns = selection.pathPatterns.map(globToRegExp);
  const selected = listing.filter(
    (port) => selection.matches.some((match) => matchesUsb(port, match)) || patterns.some((pattern) => pattern.test(port.path)),
  );

  for (const path of selection.paths) {
    const listed = listing.find((port) => port.path === path);
    if (!selected.some((port) => port.path === path)) {
      selected.push(listed ?? { path, explicit: true });
    }
  }

  const identities = selection.identities ?? new Map<string, string>();
  return selected.map((port) => {
    const identity = identities.get(port.path);
    return identity === undefined ? port : { ...port, identity };
  });
}

/** Parses a `--match` value such as `1a86:7523`, or `1a86` for any product of that vendor. */
export function parseUsbMatch(value: string): UsbMatch {
  const found = /^([0-9a-f]{1,4})(?::([0-9a-f]{1,4}))?$/i.exec(value.trim());
  if (found === null) {
    throw new StationError('invalid-argument', `--match "${value}" is not VID:PID; use four hex digits each, for example 1a86:7523`);
  }
  const [, vendorId = '', productId] = found;
  const match: UsbMatch = { vendorId: vendorId.toLowerCase().padStart(4, '0') };
  if (productId !== undefined) {
    match.productId = productId.toLowerCase().padStart(4, '0');
  }
  return match;
}

function matchesUsb(port: DiscoveredPort, match: UsbMatch): boolean {
  return port.vendorId === match.vendorId && (match.productId === undefined || port.productId === match.productId);
}

/** Listings spell ids as `1A86`, `1a86` or `0x1a86`, depending on the platform. */
function normalizeHexId(value: string | undefined): string | undefined {
  if (value === undefined || value === '') {
    return undefined;
  }
  return value.toLowerCase().replace(/^0x/, '').padStart(4, '0');
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}
