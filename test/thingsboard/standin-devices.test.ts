import { createHash } from 'node:crypto';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { StandIn } from '../../src/devkit/thingsboard';
import { envelope, generateCertificatePem, loginRaw, raw, startStandIn } from './helpers';

const NULL_UUID = '13814000-1dd2-11b2-8080-808080808080';

let server: StandIn;
let token: string;

beforeEach(async () => {
  server = await startStandIn();
  token = (await loginRaw(server)).token;
});

afterEach(async () => {
  await server.close();
});

function sha3(text: string): string {
  return createHash('sha3-256').update(text, 'utf8').digest('hex');
}

async function createDevice(name: string, query = '', extra: Record<string, unknown> = {}) {
  return raw(server, 'POST', `/api/device${query}`, { token, body: { name, ...extra } });
}

describe('stand-in devices', () => {
  it('creates a device with the given access token', async () => {
    const created = await createDevice('SN-1', '?accessToken=tokenAAAAAAAAAAAAAAAA&unknownParam=1', { label: 'bench 2' });
    expect(created.status).toBe(200);
    const device = created.json as Record<string, { id: string; entityType: string }>;
    expect(device.id!.entityType).toBe('DEVICE');
    expect(device.customerId).toEqual({ entityType: 'CUSTOMER', id: NULL_UUID });
    expect(created.json).toMatchObject({ name: 'SN-1', type: 'default', label: 'bench 2', version: 1 });

    const credentials = await raw(server, 'GET', `/api/device/${device.id!.id}/credentials`, { token });
    expect(credentials.status).toBe(200);
    expect(credentials.json).toMatchObject({ credentialsType: 'ACCESS_TOKEN', credentialsId: 'tokenAAAAAAAAAAAAAAAA', credentialsValue: null });
  });

  it('generates a 20-character token for an empty accessToken', async () => {
    const created = await createDevice('SN-2', '?accessToken=');
    const id = (created.json as { id: { id: string } }).id.id;
    const credentials = await raw(server, 'GET', `/api/device/${id}/credentials`, { token });

    expect((credentials.json as { credentialsId: string }).credentialsId).toMatch(/^[A-Za-z0-9]{20}$/);
  });

  it('rejects a duplicate name and keeps one device', async () => {
    await createDevice('SN-dup');
    const second = await createDevice('SN-dup');

    expect(second.status).toBe(400);
    expect(envelope(second)).toEqual({ status: 400, message: 'Device with such name already exists!', errorCode: 31 });
    const page = await raw(server, 'GET', '/api/tenant/devices?pageSize=10&page=0', { token });
    expect((page.json as { totalElements: number }).totalElements).toBe(1);
  });

  it('renames on conflict only with UNIQUIFY', async () => {
    await createDevice('SN-u');
    const second = await createDevice('SN-u', '?nameConflictPolicy=UNIQUIFY&uniquifyStrategy=INCREMENTAL');

    expect(second.status).toBe(200);
    expect((second.json as { name: string }).name).toBe('SN-u_1');
  });

  it('rolls back a device whose token is taken', async () => {
    await createDevice('SN-a', '?accessToken=sharedTokenXXXXXXXXX');
    const second = await createDevice('SN-b', '?accessToken=sharedTokenXXXXXXXXX');

    expect(second.status).toBe(400);
    expect(envelope(second)).toEqual({ status: 400, message: 'Device credentials are already assigned to another device!', errorCode: 31 });
    const lookup = await raw(server, 'GET', '/api/tenant/devices?deviceName=SN-b', { token });
    expect(lookup.status).toBe(404);
    expect(envelope(lookup)).toEqual({ status: 404, message: "Requested item wasn't found!", errorCode: 32 });
  });

  it('validates names', async () => {
    const cases: Array<[unknown, string]> = [
      ['  ', 'Device name should be specified!'],
      ['x'.repeat(256), 'Validation error: name length must be equal or less than 255'],
      ['{{constructor}}', 'Validation error: name is malformed'],
      ['<script>alert(1)</script>', 'Validation error: name is malformed'],
    ];
    for (const [name, message] of cases) {
      const answer = await raw(server, 'POST', '/api/device', { token, body: { name } });
      expect(answer.status, String(name)).toBe(400);
      expect((answer.json as { message: string }).message).toBe(message);
    }
  });

  it('finds or creates the profile named by type', async () => {
    const first = await createDevice('SN-p1', '', { type: 'thermostat' });
    const second = await createDevice('SN-p2', '', { type: 'thermostat' });
    const profileOf = (answer: { json: unknown }) => (answer.json as { deviceProfileId: { id: string } }).deviceProfileId.id;

    expect(profileOf(first)).toBe(profileOf(second));
    const info = await raw(server, 'GET', `/api/deviceProfileInfo/${profileOf(first)}`, { token });
    expect(info.json).toMatchObject({ name: 'thermostat' });
    const defaultInfo = await raw(server, 'GET', '/api/deviceProfileInfo/default', { token });
    expect(defaultInfo.json).toMatchObject({ name: 'default' });
  });

  it('answers 409 on a stale version and overwrites on null', async () => {
    const created = (await createDevice('SN-v')).json as Record<string, unknown>;
    const updated = await raw(server, 'POST', '/api/device', { token, body: { ...created, label: 'one' } });
    expect(updated.status).toBe(200);
    expect((updated.json as { version: number }).version).toBe(2);

    const stale = await raw(server, 'POST', '/api/device', { token, body: { ...created, label: 'two' } });
    expect(stale.status).toBe(409);
    expect(envelope(stale)).toEqual({ status: 409, message: 'Device was already changed by someone else', errorCode: 35 });

    const overwrite = await raw(server, 'POST', '/api/device', { token, body: { ...created, version: null, label: 'three' } });
    expect(overwrite.status).toBe(200);
    expect(overwrite.json).toMatchObject({ label: 'three', version: 3 });
  });

  it('pages devices with text search on name and label', async () => {
    for (let i = 0; i < 5; i += 1) await createDevice(`unit-${i}`);
    await createDevice('other', '', { label: 'UNIT spare' });

    const first = await raw(server, 'GET', '/api/tenant/devices?pageSize=2&page=0&sortProperty=name&sortOrder=asc&type=', { token });
    expect(first.json).toMatchObject({ totalElements: 6, totalPages: 3, hasNext: true });
    expect((first.json as { data: Array<{ name: string }> }).data.map((d) => d.name)).toEqual(['other', 'unit-0']);

    const search = await raw(server, 'GET', '/api/tenant/devices?pageSize=10&page=0&textSearch=unit', { token });
    expect((search.json as { totalElements: number }).totalElements).toBe(6);
    const last = await raw(server, 'GET', '/api/tenant/devices?pageSize=4&page=1&textSearch=unit-', { token });
    expect(last.json).toMatchObject({ totalElements: 5, hasNext: false });
  });

  it('rejects invalid page links', async () => {
    const cases: Array<[string, string]> = [
      ['pageSize=0&page=0', "Incorrect page link page size '0'. Page size must be greater than zero."],
      ['pageSize=1&page=-1', "Incorrect page link page '-1'. Page must be positive integer."],
      ['pageSize=1&page=0&sortProperty=name&sortOrder=UP', "Unsupported sort order 'UP'! Only 'ASC' or 'DESC' types are allowed."],
    ];
    for (const [query, message] of cases) {
      const answer = await raw(server, 'GET', `/api/tenant/devices?${query}`, { token });
      expect(answer.status, query).toBe(400);
      expect(envelope(answer)).toEqual({ status: 400, message, errorCode: 31 });
    }
    const missing = await raw(server, 'GET', '/api/tenant/devices?page=0', { token });
    expect(missing.status).toBe(400);
  });

  it('maps framework errors to the envelope', async () => {
    const badJson = await raw(server, 'POST', '/api/device', { token, text: '{"name":' });
    expect(badJson.status).toBe(400);
    expect((badJson.json as { errorCode: number }).errorCode).toBe(31);

    const wrongMethod = await raw(server, 'PUT', '/api/device', { token, body: {} });
    expect(wrongMethod.status).toBe(405);
    expect((wrongMethod.json as { errorCode: number }).errorCode).toBe(31);

    const noRoute = await raw(server, 'GET', '/api/no-such-thing', { token });
    expect(noRoute.status).toBe(404);
    expect((noRoute.json as { errorCode: number }).errorCode).toBe(32);
  });

  it('reads, describes and deletes a device by id', async () => {
    const id = ((await createDevice('SN-d')).json as { id: { id: string } }).id.id;

    expect((await raw(server, 'GET', `/api/device/${id}`, { token })).status).toBe(200);
    const info = await raw(server, 'GET', `/api/device/info/${id}`, { token });
    expect(info.json).toMatchObject({ deviceProfileName: 'default', active: false });
    const deleted = await raw(server, 'DELETE', `/api/device/${id}`, { token });
    expect(deleted.status).toBe(200);
    expect(deleted.text).toBe('');
    const gone = await raw(server, 'GET', `/api/device/${id}`, { token });
    expect(envelope(gone)).toEqual({ status: 404, message: `Device with id [${id}] is not found`, errorCode: 32 });
    expect((await raw(server, 'GET', '/api/device/not-a-uuid', { token })).status).toBe(400);
  });
});

describe('stand-in device credentials', () => {
  async function createWithCredentials(name: string, credentials: Record<string, unknown>) {
    return raw(server, 'POST', '/api/device-with-credentials', { token, body: { device: { name }, credentials } });
  }

  async function credentialsOf(name: string) {
    const device = (await raw(server, 'GET', `/api/tenant/device?deviceName=${name}`, { token })).json as { id: { id: string } };
    return (await raw(server, 'GET', `/api/device/${device.id.id}/credentials`, { token })).json as Record<string, unknown>;
  }

  it('requires the credentials id to update', async () => {
    await createWithCredentials('SN-c', { credentialsType: 'ACCESS_TOKEN', credentialsId: 'firstTokenXXXXXXXXXX' });
    const current = await credentialsOf('SN-c');

    const withoutId = await raw(server, 'POST', '/api/device/credentials', { token, body: { ...current, id: undefined, credentialsId: 'secondTokenXXXXXXXXX' } });
    expect(withoutId.status).toBe(400);
    expect(envelope(withoutId)).toEqual({ status: 400, message: 'Credentials for this device are already specified!', errorCode: 31 });

    const unknownId = await raw(server, 'POST', '/api/device/credentials', {
      token,
      body: { ...current, id: { id: '00000000-0000-4000-8000-000000000000' }, credentialsId: 'secondTokenXXXXXXXXX' },
    });
    expect(envelope(unknownId)).toEqual({ status: 400, message: 'Unable to update non-existent device credentials!', errorCode: 31 });

    const updated = await raw(server, 'POST', '/api/device/credentials', { token, body: { ...current, credentialsId: 'secondTokenXXXXXXXXX' } });
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({ credentialsId: 'secondTokenXXXXXXXXX', version: 2 });
  });

  it('rejects control characters in a token', async () => {
    const answer = await createWithCredentials('SN-ctl', { credentialsType: 'ACCESS_TOKEN', credentialsId: 'abc\u0007def' });

    expect(answer.status).toBe(400);
    expect((answer.json as { message: string }).message).toBe('credentialsId must not contain control characters!');
  });

  it('derives MQTT_BASIC credentialsId by which fields are set', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ userName: 'user-only' }, 'user-only'],
      [{ clientId: 'client-only' }, sha3('client-only')],
      [{ clientId: 'client', userName: 'user', password: 'pw' }, sha3('client|user')],
    ];
    for (const [index, [value, expectedId]] of cases.entries()) {
      const created = await createWithCredentials(`mqtt-${index}`, { credentialsType: 'MQTT_BASIC', credentialsValue: JSON.stringify(value) });
      expect(created.status, JSON.stringify(value)).toBe(200);
      expect((await credentialsOf(`mqtt-${index}`)).credentialsId).toBe(expectedId);
    }
  });

  it('rejects invalid MQTT_BASIC values', async () => {
    const empty = await createWithCredentials('mqtt-bad', { credentialsType: 'MQTT_BASIC', credentialsValue: '{}' });
    expect((empty.json as { message: string }).message).toBe('Both mqtt client id and user name are empty!');

    const passwordOnly = await createWithCredentials('mqtt-bad', {
      credentialsType: 'MQTT_BASIC',
      credentialsValue: JSON.stringify({ clientId: 'c', password: 'p' }),
    });
    expect((passwordOnly.json as { message: string }).message).toBe('Password cannot be specified along with client id');
    expect((await raw(server, 'GET', '/api/tenant/devices?deviceName=mqtt-bad', { token })).status).toBe(404);
  });

  it('hashes the trimmed base64 of an X.509 certificate', async () => {
    const pem = generateCertificatePem('SN-x509');
    const base64 = pem.split('\n').filter((line) => line !== '' && !line.startsWith('-----')).join('');
    const created = await createWithCredentials('SN-x509', {
      credentialsType: 'X509_CERTIFICATE',
      credentialsId: 'ignored-by-the-server',
      credentialsValue: pem.replaceAll('\n', '\r\n'),
    });

    expect(created.status).toBe(200);
    const credentials = await credentialsOf('SN-x509');
    expect(credentials.credentialsValue).toBe(base64);
    expect(credentials.credentialsId).toBe(sha3(base64));
  });

  it('requires both parts of device-with-credentials', async () => {
    const noCredentials = await raw(server, 'POST', '/api/device-with-credentials', { token, body: { device: { name: 'x' } } });

    expect(envelope(noCredentials)).toEqual({ status: 400, message: 'Validation error: credentials must not be null', errorCode: 31 });
  });
});
