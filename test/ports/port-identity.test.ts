// How the runner distinguishes ports across a reset: a given identity, a unique USB serial
// number, or the USB location when adapters share a serial number or have none.
import { describe, expect, it } from 'vitest';
import type { DiscoveredPort } from '../../src/main/device/discovery';
import { identifyPort, parsePortArgument } from '../../src/main/device/port-identity';
import { isStationError } from '../../src/shared/reasons';

function usbPort(path: string, serialNumber: string | undefined, location: string | undefined): DiscoveredPort {
  return {
    path,
    vendorId: '1a86',
    productId: '7523',
    explicit: false,
    ...(serialNumber === undefined ? {} : { serialNumber }),
    ...(location === undefined ? {} : { location }),
  };
}

describe('port identity', () => {
  it('unique serial number is the key', () => {
    const port = usbPort('/dev/ttyUSB0', 'A12345', '1-1.2');
    const identity = identifyPort(port, [port, usbPort('/dev/ttyUSB1', 'B67890', '1-1.3')]);

    expect(identity.key).toBe('usb:1a86:7523:A12345');
    expect(identity.warning).toBeUndefined();
  });

  it('shared serial number falls back to location', () => {
    const first = usbPort('/dev/ttyUSB0', 'SAME', '1-1.2');
    const second = usbPort('/dev/ttyUSB1', 'SAME', '1-1.3');
    const identity = identifyPort(first, [first, second]);

    expect(identity.key).toBe('location:1-1.2');
    expect(identity.warning).toContain('2 USB 1a86:7523 adapters share serial number SAME');
    expect(identifyPort(second, [first, second]).key).toBe('location:1-1.3');
  });

  it('missing serial number warns', () => {
    const port = usbPort('/dev/ttyUSB0', undefined, '1-1.4');
    const identity = identifyPort(port, [port]);

    expect(identity.key).toBe('location:1-1.4');
    expect(identity.warning).toContain('reports no serial number');
  });

  it('no serial and no location leaves hardware id', () => {
    const port = usbPort('/dev/ttyUSB0', undefined, undefined);
    const identity = identifyPort(port, [port]);

    expect(identity.key).toBeUndefined();
    expect(identity.warning).toContain('hardware id only');
  });

  it('given identity wins', () => {
    const port: DiscoveredPort = { ...usbPort('/dev/ttyUSB0', 'A12345', '1-1.2'), identity: 'FIXTURE-3' };

    expect(identifyPort(port, [port])).toEqual({ key: 'given:FIXTURE-3' });
  });

  it('pty without identity has no key', () => {
    expect(identifyPort({ path: '/tmp/pty/station', explicit: true }, [])).toEqual({});
  });

  it('port argument parses identity', () => {
    expect(parsePortArgument('/dev/ttyUSB0')).toEqual({ path: '/dev/ttyUSB0' });
    expect(parsePortArgument('/tmp/pty/station=UNIT-1')).toEqual({ path: '/tmp/pty/station', identity: 'UNIT-1' });
  });

  it('port argument rejects bad identity', () => {
    for (const value of ['/dev/ttyUSB0=', '=UNIT-1', '/dev/ttyUSB0=has space']) {
      let code = 'no error';
      try {
        parsePortArgument(value);
      } catch (error) {
        code = isStationError(error) ? error.code : String(error);
      }
      expect(code, value).toBe('invalid-argument');
    }
  });
});
