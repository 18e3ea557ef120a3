// The device and device-credentials REST routes.
import type { FastifyInstance, FastifyRequest } from 'fastify';

import { currentUser } from './auth';
import { credentialsJson, deviceInfoJson, deviceJson, saveDevice, updateCredentials, type NameConflictOptions } from './devices';
import { badRequest, notFound, permissionDenied } from './errors';
import { queryText, readPageLink, toPage, type Query } from './paging';
import { readJsonBody, readJsonObject } from './request-body';
import { requireUuid, type DeviceRecord, type StandInStore } from './store';

/** Rejects callers other than tenant administrators, because customer users are not modelled. */
export function requireTenantAdmin(request: FastifyRequest): void {
  if (currentUser(request).user.authority !== 'TENANT_ADMIN') throw permissionDenied();
}

function readNameConflict(query: Query): NameConflictOptions {
  const policy = queryText(query, 'nameConflictPolicy') ?? 'FAIL';
  const strategy = queryText(query, 'uniquifyStrategy') ?? 'RANDOM';
  if (policy !== 'FAIL' && policy !== 'UNIQUIFY') {
    throw badRequest(`Failed to convert value of type 'java.lang.String' to required type 'NameConflictPolicy'`);
  }
  if (strategy !== 'RANDOM' && strategy !== 'INCREMENTAL') {
    throw badRequest(`Failed to convert value of type 'java.lang.String' to required type 'UniquifyStrategy'`);
  }
  return { policy, strategy, separator: queryText(query, 'uniquifySeparator') ?? '_' };
}

function requireDevice(store: StandInStore, id: string): DeviceRecord {
  const deviceId = requireUuid(id);
  const device = store.devices.get(deviceId);
  if (device === undefined) throw notFound(`Device with id [${deviceId}] is not found`);
  return device;
}

function findByName(store: StandInStore, name: string): Record<string, unknown> {
  const device = store.findDeviceByName(name);
  if (device === undefined) throw notFound("Requested item wasn't found!");
  return deviceJson(store, device);
}

function sortKeyFor(store: StandInStore, property: string | undefined) {
  return (device: DeviceRecord): string | number | undefined => {
    if (property === 'createdTime') return device.createdTime;
    if (property === 'name') return device.name;
    if (property === 'label') return device.label ?? '';
    if (property === 'deviceProfileName') return store.profiles.get(device.deviceProfileId)?.name;
    return device.id;
  };
}

function listDevices(store: StandInStore, query: Query) {
  const link = readPageLink(query);
  const type = queryText(query, 'type');
  const search = link.textSearch?.toLowerCase();
  const devices = [...store.devices.values()].filter((device) => {
    if (type !== undefined && store.profiles.get(device.deviceProfileId)?.name !== type) return false;
    if (search === undefined) return true;
    return device.name.toLowerCase().includes(search) || (device.label ?? '').toLowerCase().includes(search);
  });
  const page = toPage(devices, { ...link, sortProperty: link.sortProperty ?? 'id' }, sortKeyFor(store, link.sortProperty));
  return { ...page, data: page.data.map((device) => deviceJson(store, device)) };
}

export function registerDeviceRoutes(app: FastifyInstance, store: StandInStore): void {
  app.post('/api/device', (request) => {
    requireTenantAdmin(request);
    const query = request.query as Query;
    const device = saveDevice(store, readJsonBody(request), {
      accessToken: queryText(query, 'accessToken'),
      nameConflict: readNameConflict(query),
    });
    return deviceJson(store, device);
  });

  app.post('/api/device-with-credentials', (request) => {
    requireTenantAdmin(request);
    const body = readJsonObject(request);
    if (body.device === undefined || body.device === null) throw badRequest('Validation error: device must not be null');
    if (body.credentials === null || typeof body.credentials !== 'object') {
      throw badRequest('Validation error: credentials must not be null');
    }
    const device = saveDevice(store, body.device, {
      credentials: body.credentials as Record<string, unknown>,
      nameConflict: readNameConflict(request.query as Query),
    });
    return deviceJson(store, device);
  });

  app.get('/api/tenant/devices', (request) => {
    requireTenantAdmin(request);
    const query = request.query as Query;
    const name = queryText(query, 'deviceName');
    return name !== undefined ? findByName(store, name) : listDevices(store, query);
  });

  app.get('/api/tenant/device', (request) => {
    requireTenantAdmin(request);
    const name = queryText(request.query as Query, 'deviceName');
    if (name === undefined) {
      throw badRequest("Required request parameter 'deviceName' for method parameter type String is not present");
    }
    return findByName(store, name);
  });

  app.get<{ Params: { deviceId: string } }>('/api/device/:deviceId', (request) => {
    requireTenantAdmin(request);
    return deviceJson(store, requireDevice(store, request.params.deviceId));
  });

  app.get<{ Params: { deviceId: string } }>('/api/device/info/:deviceId', (request) => {
    requireTenantAdmin(request);
    return deviceInfoJson(store, requireDevice(store, request.params.deviceId));
  });

  app.delete<{ Params: { deviceId: string } }>('/api/device/:deviceId', (request, reply) => {
    requireTenantAdmin(request);
    store.removeDevice(requireDevice(store, request.params.deviceId).id);
    return reply.code(200).send();
  });

  app.get<{ Params: { deviceId: string } }>('/api/device/:deviceId/credentials', (request) => {
    requireTenantAdmin(request);
    const device = requireDevice(store, request.params.deviceId);
    const credentials = store.credentialsByDevice.get(device.id);
    if (credentials === undefined) throw notFound("Requested item wasn't found!");
    return credentialsJson(credentials);
  });

  app.post('/api/device/credentials', (request) => {
    requireTenantAdmin(request);
    return credentialsJson(updateCredentials(store, readJsonBody(request)));
  });
}
