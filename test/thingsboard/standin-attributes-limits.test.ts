import { afterEach, describe, expect, it } from 'vitest';

import type { StandIn } from '../../src/devkit/thingsboard';
import { sha3Hex } from '../../src/devkit/thingsboard';
import { envelope, generateCertificatePem, loginRaw, raw, startStandIn } from './helpers';

let server: StandIn | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setUp(options: Parameters<typeof startStandIn>[0] = {}) {
  server = await startStandIn(options);
  const { token } = await loginRaw(server);
  const created = await raw(server, 'POST', '/api/device?accessToken=deviceTokenXXXXXXXXX', { token, body: { name: 'SN-attr' } });
  return { server, token, deviceId: (created.json as { id: { id: string } }).id.id };
}

describe('stand-in server attributes', () => {
  it('writes on all three paths and casts numeric strings', async () => {
    const { server: standIn, token, deviceId } = await setUp();
    const paths = [
      `/api/plugins/telemetry/DEVICE/${deviceId}/attributes/SERVER_SCOPE`,
      `/api/plugins/telemetry/DEVICE/${deviceId}/SERVER_SCOPE`,
      `/api/plugins/telemetry/${deviceId}/SERVER_SCOPE`,
    ];
    for (const [index, path] of paths.entries()) {
      const answer = await raw(standIn, 'POST', path, { token, body: { [`key${index}`]: 'SN-7' } });
      expect(answer.status, path).toBe(200);
      expect(answer.text).toBe('');
    }
    await raw(standIn, 'POST', paths[0]!, { token, body: { serial: '000731', nested: { serial: '000731' } } });

    const read = await raw(standIn, 'GET', `/api/plugins/telemetry/DEVICE/${deviceId}/values/attributes/SERVER_SCOPE?keys=serial,nested,key2`, { token });
    const values = Object.fromEntries((read.json as Array<{ key: string; value: unknown }>).map((entry) => [entry.key, entry.value]));
    expect(values).toEqual({ serial: 731, nested: { serial: '000731' }, key2: 'SN-7' });
  });

  it('answers attribute errors in plain text', async () => {
    const { server: standIn, token, deviceId } = await setUp();
    const base = `/api/plugins/telemetry/DEVICE/${deviceId}/attributes`;
    const cases: Array<[string, string, number, string]> = [
      [`${base}/SERVER_SCOPE`, '{"a":', 400, 'Invalid JSON'],
      [`${base}/SERVER_SCOPE`, '[1]', 400, 'Request is not a JSON object'],
      [`${base}/SERVER_SCOPE`, '{}', 400, 'No attributes data found in request body!'],
      [`${base}/CLIENT_SCOPE`, '{"a":1}', 400, 'Invalid scope: CLIENT_SCOPE'],
      ['/api/plugins/telemetry/DEVICE/00000000-0000-4000-8000-000000000000/attributes/SERVER_SCOPE', '{"a":1}', 404, "Device with requested id wasn't found!"],
    ];
    for (const [path, text, status, message] of cases) {
      const answer = await raw(standIn, 'POST', path, { token, text });
      expect(answer.status, text).toBe(status);
      expect(answer.text).toBe(message);
    }
  });
});

describe('stand-in device API', () => {
  it('returns empty 200 and 401 bodies', async () => {
    const { server: standIn } = await setUp();
    const ok = await raw(standIn, 'POST', '/api/v1/deviceTokenXXXXXXXXX/telemetry', { body: { temp: 21.5 } });
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('');

    const unknown = await raw(standIn, 'POST', '/api/v1/wrongToken/telemetry', { body: { temp: 21.5 } });
    expect(unknown.status).toBe(401);
    expect(unknown.text).toBe('');

    await raw(standIn, 'POST', '/api/v1/deviceTokenXXXXXXXXX/attributes', { body: { fw: '1.2.0-beta' } });
    const attributes = await raw(standIn, 'GET', '/api/v1/deviceTokenXXXXXXXXX/attributes?clientKeys=fw');
    expect(attributes.json).toEqual({ client: { fw: '1.2.0-beta' }, shared: {} });
  });
});

describe('stand-in limits', () => {
  it('rate-limits tenant calls with 429/33 and no Retry-After', async () => {
    const { server: standIn, token } = await setUp({ restRateLimit: '3:3600' });
    // setUp already spent one token on the device create.
    await raw(standIn, 'GET', '/api/auth/user', { token });
    await raw(standIn, 'GET', '/api/auth/user', { token });
    const limited = await raw(standIn, 'GET', '/api/auth/user', { token });

    expect(limited.status).toBe(429);
    expect(envelope(limited)).toEqual({ status: 429, message: 'Too many requests for current tenant!', errorCode: 33 });
    expect(limited.headers.get('retry-after')).toBeNull();
    expect((await raw(standIn, 'POST', '/api/auth/login', { body: { username: 'tenant@thingsboard.org', password: 'tenant' } })).status).toBe(200);
    expect((await raw(standIn, 'POST', '/api/v1/deviceTokenXXXXXXXXX/telemetry', { body: { a: 1 } })).status).toBe(200);
  });

  it('refuses devices beyond the quota with 403/41', async () => {
    const { server: standIn, token } = await setUp({ maxDevices: 1 });
    const refused = await raw(standIn, 'POST', '/api/device', { token, body: { name: 'SN-over' } });

    expect(refused.status).toBe(403);
    expect(envelope(refused)).toEqual({ status: 403, message: 'Devices limit reached', errorCode: 41, entityType: 'DEVICE', limit: 1 });
  });

  it('lets a sysadmin past the limiter but not into tenant devices', async () => {
    const { server: standIn } = await setUp();
    const { token } = await loginRaw(standIn, { username: 'sysadmin@thingsboard.org', password: 'sysadmin' });
    const answer = await raw(standIn, 'GET', '/api/tenant/devices?pageSize=1&page=0', { token });

    expect(answer.status).toBe(403);
    expect((answer.json as { errorCode: number }).errorCode).toBe(20);
  });
});

describe('stand-in device profiles', () => {
  it('derives the provision key of an X.509 chain profile and keeps keys unique', async () => {
    const { server: standIn, token } = await setUp();
    const keyed = { name: 'line-3', provisionType: 'CHECK_PRE_PROVISIONED_DEVICES', provisionDeviceKey: 'fab-line3-key' };
    expect((await raw(standIn, 'POST', '/api/deviceProfile', { token, body: keyed })).status).toBe(200);
    const duplicate = await raw(standIn, 'POST', '/api/deviceProfile', { token, body: { ...keyed, name: 'line-4' } });
    expect(envelope(duplicate)).toEqual({ status: 400, message: 'Device profile with such provision device key already exists!', errorCode: 31 });

    const pem = generateCertificatePem('Line 3 CA');
    const base64 = pem.split('\n').filter((line) => line !== '' && !line.startsWith('-----')).join('');
    const chain = await raw(standIn, 'POST', '/api/deviceProfile', {
      token,
      body: {
        name: 'line-3-x509',
        provisionType: 'X509_CERTIFICATE_CHAIN',
        profileData: { provisionConfiguration: { type: 'X509_CERTIFICATE_CHAIN', provisionDeviceSecret: pem, certificateRegExPattern: '(.*)' } },
      },
    });
    expect(chain.status).toBe(200);
    expect((chain.json as { provisionDeviceKey: string }).provisionDeviceKey).toBe(sha3Hex(base64));

    const infos = await raw(standIn, 'GET', '/api/deviceProfileInfos?pageSize=10&page=0&sortProperty=name', { token });
    expect((infos.json as { data: Array<{ name: string }> }).data.map((info) => info.name)).toEqual(['default', 'line-3', 'line-3-x509']);
  });
});
