// Server-side attributes and latest telemetry (/api/plugins/telemetry) and the device HTTP API
// (/api/v1). Both return errors as plain-text or empty bodies instead of the JSON envelope, as
// ThingsBoard does.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { currentUser } from './auth';
import { castValue, parseTelemetry, recordActivity, recordTelemetry } from './device-telemetry';
import { badRequest, EnvelopeError, ErrorCode, PlainTextError } from './errors';
import { queryText, type Query } from './paging';
import { rawBody } from './request-body';
import { requireUuid, type AttributeScope, type DeviceRecord, type StandInStore } from './store';

const KNOWN_SCOPES = ['SERVER_SCOPE', 'SHARED_SCOPE', 'CLIENT_SCOPE'];

function parseAttributes(text: string): Array<[string, unknown]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new PlainTextError(400, 'Invalid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new PlainTextError(400, 'Request is not a JSON object');
  }
  const entries = Object.entries(parsed);
  if (entries.length === 0) throw new PlainTextError(400, 'No attributes data found in request body!');
  for (const [key, value] of entries) {
    if (key.trim() === '') throw new PlainTextError(400, 'Key cannot be blank');
    // ThingsBoard fails on a null value outside its handled path, so it surfaces as a 500.
    if (value === null) throw new EnvelopeError(500, `Can't parse value of key ${key}: null`, ErrorCode.general);
  }
  return entries.map(([key, value]) => [key, castValue(value)]);
}

function requireDeviceForTelemetry(request: FastifyRequest, store: StandInStore, entityType: string, id: string): DeviceRecord {
  if (entityType !== 'DEVICE') throw badRequest(`Unsupported entity type: ${entityType}`);
  const deviceId = requireUuid(id);
  if (currentUser(request).user.authority !== 'TENANT_ADMIN') {
    throw new PlainTextError(403, "You don't have permission to perform this operation!");
  }
  const device = store.devices.get(deviceId);
  if (device === undefined) throw new PlainTextError(404, "Device with requested id wasn't found!");
  return device;
}

function writableScope(scope: string): AttributeScope {
  if (!KNOWN_SCOPES.includes(scope)) throw badRequest(`Failed to convert value of type 'java.lang.String' to required type 'AttributeScope'`);
  if (scope === 'CLIENT_SCOPE') throw new PlainTextError(400, 'Invalid scope: CLIENT_SCOPE');
  return scope as AttributeScope;
}

export function registerTelemetryRoutes(app: FastifyInstance, store: StandInStore): void {
  const saveAttributes = (request: FastifyRequest, reply: FastifyReply, entityType: string, id: string, scope: string) => {
    const device = requireDeviceForTelemetry(request, store, entityType, id);
    const attributeScope = writableScope(scope);
    const entries = parseAttributes(rawBody(request));
    const map = store.attributeMap(device.id, attributeScope);
    const now = store.now();
    for (const [key, value] of entries) map.set(key, { value, lastUpdateTs: now });
    return reply.code(200).send();
  };

  type Params = { entityType: string; entityId: string; scope: string };
  app.post<{ Params: Params }>('/api/plugins/telemetry/:entityType/:entityId/attributes/:scope', (request, reply) =>
    saveAttributes(request, reply, request.params.entityType, request.params.entityId, request.params.scope),
  );
  app.post<{ Params: Params }>('/api/plugins/telemetry/:entityType/:entityId/:scope', (request, reply) =>
    saveAttributes(request, reply, request.params.entityType, request.params.entityId, request.params.scope),
  );
  app.post<{ Params: Omit<Params, 'entityType'> }>('/api/plugins/telemetry/:entityId/:scope', (request, reply) =>
    saveAttributes(request, reply, 'DEVICE', request.params.entityId, request.params.scope),
  );

  app.get<{ Params: Params }>('/api/plugins/telemetry/:entityType/:entityId/values/attributes/:scope', (request) => {
    const device = requireDeviceForTelemetry(request, store, request.params.entityType, request.params.entityId);
    if (!KNOWN_SCOPES.includes(request.params.scope)) throw new PlainTextError(400, `Invalid scope: ${request.params.scope}`);
    const keys = queryText(request.query as Query, 'keys')?.split(',').map((key) => key.trim());
    const map = store.attributeMap(device.id, request.params.scope as AttributeScope);
    return [...map.entries()]
      .filter(([key]) => keys === undefined || keys.includes(key))
      .map(([key, entry]) => ({ lastUpdateTs: entry.lastUpdateTs, key, value: entry.value }));
  });

  // Latest values only: startTs, endTs and the other history parameters are not modelled.
  app.get<{ Params: Omit<Params, 'scope'> }>('/api/plugins/telemetry/:entityType/:entityId/values/timeseries', (request) => {
    const device = requireDeviceForTelemetry(request, store, request.params.entityType, request.params.entityId);
    const query = request.query as Query;
    const keys = queryText(query, 'keys')?.split(',').map((key) => key.trim());
    // ThingsBoard's getLatestTimeseries defaults useStrictDataTypes to false and then returns every value as a string.
    const strict = queryText(query, 'useStrictDataTypes') === 'true';
    const latest = store.latestTelemetry(device.id);
    const result: Record<string, Array<{ ts: number; value: unknown }>> = {};
    for (const [key, point] of latest) {
      if (keys !== undefined && !keys.includes(key)) continue;
      result[key] = [{ ts: point.ts, value: strict ? point.value : stringValue(point.value) }];
    }
    return result;
  });
}

function stringValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function deviceForToken(store: StandInStore, token: string): DeviceRecord {
  const device = store.findDeviceByAccessToken(token);
  if (device === undefined) throw new PlainTextError(401, '');
  return device;
}

function parseDevicePayload(request: FastifyRequest): unknown {
  try {
    return JSON.parse(rawBody(request));
  } catch (error) {
    // The device API parses inside its auth callback, so a bad body becomes a plain-text 500.
    throw new PlainTextError(500, (error as Error).message);
  }
}

export function registerDeviceApiRoutes(app: FastifyInstance, store: StandInStore): void {
  app.post<{ Params: { token: string } }>('/api/v1/:token/telemetry', (request, reply) => {
    const device = deviceForToken(store, request.params.token);
    const entries = parseTelemetry(parseDevicePayload(request), store.now());
    // Like malformed JSON, a payload of the wrong shape fails inside the auth callback: a plain-text 500.
    // NOTE: ThingsBoard's exact message for it was not confirmed.
    if (entries === undefined) throw new PlainTextError(500, 'Unable to parse telemetry payload: expected a JSON object or an array of objects');
    recordTelemetry(store, device.id, entries);
    return reply.code(200).send();
  });

  app.post<{ Params: { token: string } }>('/api/v1/:token/attributes', (request, reply) => {
    const device = deviceForToken(store, request.params.token);
    const payload = parseDevicePayload(request);
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) throw new PlainTextError(400, '');
    const map = store.attributeMap(device.id, 'CLIENT_SCOPE');
    for (const [key, value] of Object.entries(payload)) map.set(key, { value: castValue(value), lastUpdateTs: store.now() });
    recordActivity(store, device.id);
    return reply.code(200).send();
  });

  app.get<{ Params: { token: string } }>('/api/v1/:token/attributes', (request) => {
    const device = deviceForToken(store, request.params.token);
    const query = request.query as Query;
    const pick = (scope: AttributeScope, keysParameter: string): Record<string, unknown> => {
      const keys = queryText(query, keysParameter)?.split(',');
      const entries = [...store.attributeMap(device.id, scope).entries()].filter(([key]) => keys === undefined || keys.includes(key));
      return Object.fromEntries(entries.map(([key, entry]) => [key, entry.value]));
    };
    return { client: pick('CLIENT_SCOPE', 'clientKeys'), shared: pick('SHARED_SCOPE', 'sharedKeys') };
  });
}
