import { describe, expect, it } from 'vitest';
import { parseUsbMatch, selectPorts, toDiscoveredPort, type DiscoveredPort } from '../../src/main/device/discovery';

// Shaped like serialport's listings on Linux: two USB adapters and a built-in UART.
const LINUX_LISTING = [
  {
    path: '/dev/ttyUSB0',
    manufacturer: '1a86',
    serialNumber: undefined,
    pnpId: 'usb-1a86_USB_Serial-if00-port0',
    locationId: undefined,
    vendorId: '1a86',
    productId: '7523',
  },
  {
    path: '/dev/ttyACM0',
    manufacturer: 'Espressif',
    serialNumber: 'F4:12:FA:00:11:22',
    pnpId: 'usb-Espressif_USB_JTAG_serial_debug_unit_F4:12:FA:00:11:22-if00',
    locationId: undefined,
    vendorId: '303A',
    productId: '1001',
  },
  { path: '/dev/ttyS0', manufacturer: undefined, serialNumber: undefined, pnpId: undefined, locationId: undefined, vendorId: undefined, productId: undefined },
].map(toDiscoveredPort);

const NONE = { paths: [], matches: [], pathPatterns: [] };

function paths(ports: DiscoveredPort[]): string[] {
  return ports.map((port) => port.path);
}

describe('port discovery', () => {
  it('listing keeps USB identity', () => {
    const esp = LINUX_LISTING[1];
    expect(esp?.vendorId).toBe('303a');
    expect(esp?.productId).toBe('1001');
    expect(esp?.serialNumber).toBe('F4:12:FA:00:11:22');
    expect(esp?.location).toBe('usb-Espressif_USB_JTAG_serial_debug_unit_F4:12:FA:00:11:22-if00');
    expect(LINUX_LISTING[2]?.vendorId).toBeUndefined();
  });

  it('macOS location id becomes location', () => {
    const port = toDiscoveredPort({
      path: '/dev/tty.usbserial-1410',
      manufacturer: 'FTDI',
      serialNumber: 'A50285BI',
      pnpId: undefined,
      locationId: '14100000',
      vendorId: '0403',
      productId: '6001',
    });
    expect(port.location).toBe('14100000');
  });

  it('empty selection selects nothing', () => {
    expect(selectPorts(LINUX_LISTING, NONE)).toEqual([]);
  });

  it('match selects by vendor and product', () => {
    expect(paths(selectPorts(LINUX_LISTING, { ...NONE, matches: [parseUsbMatch('1a86:7523')] }))).toEqual(['/dev/ttyUSB0']);
    expect(paths(selectPorts(LINUX_LISTING, { ...NONE, matches: [parseUsbMatch('303a:1001'), parseUsbMatch('1A86:7523')] }))).toEqual([
      '/dev/ttyUSB0',
      '/dev/ttyACM0',
    ]);
  });

  it('match without product takes the vendor', () => {
    expect(paths(selectPorts(LINUX_LISTING, { ...NONE, matches: [parseUsbMatch('303a')] }))).toEqual(['/dev/ttyACM0']);
  });

  it('other product of vendor is not matched', () => {
    expect(selectPorts(LINUX_LISTING, { ...NONE, matches: [parseUsbMatch('1a86:55d4')] })).toEqual([]);
  });

  it('path pattern selects ports', () => {
    expect(paths(selectPorts(LINUX_LISTING, { ...NONE, pathPatterns: ['/dev/ttyUSB*'] }))).toEqual(['/dev/ttyUSB0']);
    expect(paths(selectPorts(LINUX_LISTING, { ...NONE, pathPatterns: ['/dev/tty???0'] }))).toEqual(['/dev/ttyUSB0', '/dev/ttyACM0']);
  });

  it('pattern dots are literal', () => {
    const listing = [{ path: '/dev/tty.usbserial-1410', explicit: false }, { path: '/dev/ttyXusbserial-1410', explicit: false }];
    expect(paths(selectPorts(listing, { ...NONE, pathPatterns: ['/dev/tty.usbserial-*'] }))).toEqual(['/dev/tty.usbserial-1410']);
  });

  it('explicit paths come in unlisted', () => {
    const selected = selectPorts(LINUX_LISTING, { ...NONE, paths: ['/tmp/station-pty-1/station'] });
    expect(selected).toEqual([{ path: '/tmp/station-pty-1/station', explicit: true }]);
  });

  it('explicit listed path keeps identity once', () => {
    const selected = selectPorts(LINUX_LISTING, { ...NONE, paths: ['/dev/ttyUSB0'], matches: [parseUsbMatch('1a86:7523')] });
    expect(selected).toHaveLength(1);
    expect(selected[0]?.vendorId).toBe('1a86');
    expect(selected[0]?.explicit).toBe(false);
  });

  it('invalid match is rejected', () => {
    expect(() => parseUsbMatch('usb-1a86')).toThrow(/not VID:PID/);
    expect(() => parseUsbMatch('1a86:75230')).toThrow(/not VID:PID/);
  });
});
