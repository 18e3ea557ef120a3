import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  deviceFieldsFor,
  digestFields,
  generateAccessToken,
  generateMqttBasic,
  maskSecret,
  mismatchedFields,
} from '../../src/main/credentials/generate';
import { applyNamingRule, validateDeviceName } from '../../src/main/provisioning/naming';

describe('credential generation', () => {
  it('makes tokens of 20 to 32 letters and digits, all different', () => {
    const tokens = new Set<string>();
    for (let index = 0; index < 200; index += 1) {
      const secret = generateAccessToken();
      if (secret.type !== 'token') throw new Error('expected a token');
      expect(secret.token).toMatch(/^[A-Za-z0-9]{20,32}$/);
      tokens.add(secret.token);
    }
    expect(tokens.size).toBe(200);
  });

  it('makes MQTT basic credentials named after the device', () => {
    const secret = generateMqttBasic('SN-0001');
    expect(secret).toMatchObject({ type: 'mqtt-basic', clientId: 'SN-0001' });
    const fields = deviceFieldsFor(secret, { host: 'tb.local', port: 1883 });
    expect(Object.keys(fields).sort()).toEqual(['mqtt_client_id', 'mqtt_password', 'mqtt_username', 'server_host', 'server_port']);
  });

  it('digests fields as SHA-256 of their UTF-8 value', () => {
    const digests = digestFields({ token: 'abc', server_host: 'hôte' });
    expect(digests.token).toBe(createHash('sha256').update('abc').digest('hex'));
    expect(digests.server_host).toBe(createHash('sha256').update(Buffer.from('hôte', 'utf8')).digest('hex'));
  });

  it('lists missing and different fields as mismatched', () => {
    const expected = digestFields({ token: 'a', server_host: 'b' });
    expect(mismatchedFields(expected, { token: expected.token })).toEqual(['server_host']);
    expect(mismatchedFields(expected, { ...expected, token: '00' })).toEqual(['token']);
    expect(mismatchedFields(expected, expected)).toEqual([]);
  });

  it('masks all but two characters at each end', () => {
    expect(maskSecret('q8Zr2mT0bV7kLw3nXc5p')).toBe('q8****************5p');
    expect(maskSecret('short')).toBe('*****');
  });
});

describe('device names', () => {
  it('applies the naming rule', () => {
    expect(applyNamingRule('{model}-{hardwareId}', { model: 'M1', hardwareId: 'AB12', firmwareVersion: '2' })).toBe('M1-AB12');
  });

  it('rejects an unknown placeholder in the naming rule', () => {
    expect(() => applyNamingRule('{serial}-{model}', { model: 'M1', hardwareId: 'AB12', firmwareVersion: '2' })).toThrow(/unknown placeholder \{serial\}/);
  });

  it.each([[''], ['   '], ['x'.repeat(256)], ['a{{b}}'], ['<script>'], ['tab\there']])('rejects %j', (name) => {
    expect(() => validateDeviceName(name)).toThrow(/device name/);
  });
});
