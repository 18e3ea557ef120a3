// Port identity: the key a job uses to follow its device when the device re-enumerates under
// another path after a reset. The key comes from an identity given with the port path, else
// the USB serial number, else the USB location. Without any of them the runner falls back to
// the hardware id that the device reports in HELLO.
import { StationError } from '../../shared/reasons';
import type { DiscoveredPort } from './discovery';

export interface PortIdentity {
  /** Stable key such as `usb:1a86:7523:A12345`; undefined when the port carries no identity. */
  key?: string;
  /** Set when the key is weaker than a unique serial number, for the operator to read. */
  warning?: string;
}

/**
 * Derives the identity of `port` among the ports present now. Two adapters with the same or
 * no serial number are told apart by their USB location, which moves with the socket, so a
 * device moved to another socket starts a new job; the warning says so.
 */
export function identifyPort(port: DiscoveredPort, present: readonly DiscoveredPort[]): PortIdentity {
  if (port.identity !== undefined) {
    return { key: `given:${port.identity}` };
  }
  if (port.vendorId === undefined) {
    return {};
  }

  const usbId = `${port.vendorId}:${port.productId ?? '????'}`;
  const twins = present.filter(
    (other) => other.path !== port.path && other.vendorId === port.vendorId && other.productId === port.productId && other.serialNumber === port.serialNumber,
  );
  if (port.serialNumber !== undefined && twins.length === 0) {
    return { key: `usb:${usbId}:${port.serialNumber}` };
  }

  const shared =
    port.serialNumber === undefined
      ? `USB ${usbId} reports no serial number`
      : `${twins.length + 1} USB ${usbId} adapters share serial number ${port.serialNumber}`;
  if (port.location === undefined) {
    return { warning: `${shared} and no location; the device is followed by its hardware id only` };
  }
  return {
    key: `location:${port.location}`,
    warning: `${shared}; the port is told apart by its USB location, so a device moved to another socket starts a new job`,
  };
}

/** Parses a `--port` value, `PATH` or `PATH=IDENTITY`, where the identity names the device behind a port that reports none. */
export function parsePortArgument(value: string): { path: string; identity?: string } {
  const separator = value.lastIndexOf('=');
  if (separator < 0) {
    return { path: value };
  }
  const path = value.slice(0, separator);
  const identity = value.slice(separator + 1);
  if (path === '' || !/^[!-~]{1,64}$/.test(identity)) {
    throw new StationError('invalid-argument', `--port "${value}" is not PATH=IDENTITY; the identity must be 1 to 64 printable characters without spaces`);
  }
  return { path, identity };
}
