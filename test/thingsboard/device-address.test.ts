// The server address a station writes to devices: the host of the REST URL, the plain MQTT port
// for token and MQTT basic units, and the MQTT over TLS port for X.509 units.
import { describe, expect, it } from 'vitest';
import { deviceFieldsFor } from '../../src/main/credentials/generate';
import { connectServer } from '../../src/main/thingsboard/connection';
import type { CredentialSecret } from '../../src/main/store/store';
import { isStationError } from '../../src/shared/reasons';

const SIGN_IN = { username: 'tenant@thingsboard.org', password: 'tenant' };

const token: CredentialSecret = { type: 'token', token: 'A1b2C3d4E5f6G7h8I9j0K1l2' };
const basic: CredentialSecret = { type: 'mqtt-basic', clientId: 'SN-1', userName: 'user1', password: 'secret1' };
const certificate: CredentialSecret = {
  type: 'x509',
  mode: 'self-signed',
  certificatePem: '-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n',
  chainPem: '',
  serialHex: '01',
  notAfter: '2035-01-01T00:00:00.000Z',
  credentialsId: 'id',
};

describe('device server address', () => {
  it('defaults to ThingsBoard ports 1883 and 8883', () => {
    const { deviceAddress } = connectServer(new URL('http://tb.example.test:8080'), SIGN_IN);

    expect(deviceAddress).toEqual({ host: 'tb.example.test', port: 1883, tlsPort: 8883 });
  });

  it('takes the ports it is given', () => {
    const { deviceAddress } = connectServer(new URL('https://tb.example.test'), SIGN_IN, { mqttPort: 11883, mqttsPort: 18883 });

    expect(deviceAddress).toEqual({ host: 'tb.example.test', port: 11883, tlsPort: 18883 });
  });

  it('writes an IPv6 host without brackets', () => {
    expect(connectServer(new URL('http://[::1]:8080'), SIGN_IN).deviceAddress.host).toBe('::1');
  });

  it('rejects a port outside 1 to 65535', () => {
    let reason = 'no error';
    try {
      connectServer(new URL('http://tb.example.test'), SIGN_IN, { mqttsPort: 70_000 });
    } catch (error) {
      reason = isStationError(error) ? `${error.code}: ${error.detail ?? ''}` : String(error);
    }

    expect(reason).toMatch(/^invalid-argument: the MQTT over TLS port .*70000/);
  });

  it.each([
    { secret: token, port: '11883' },
    { secret: basic, port: '11883' },
    { secret: certificate, port: '18883' },
  ])('$secret.type unit gets port $port', ({ secret, port }) => {
    const fields = deviceFieldsFor(secret, { host: 'tb.example.test', port: 11883, tlsPort: 18883 });

    expect(fields.server_host).toBe('tb.example.test');
    expect(fields.server_port).toBe(port);
  });

  it('X.509 unit gets 8883 when no TLS port is given', () => {
    expect(deviceFieldsFor(certificate, { host: 'tb.example.test', port: 1883 }).server_port).toBe('8883');
  });
});
