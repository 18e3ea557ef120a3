// Device profile routes: listing, lookup and saving, including the provisioning settings
// (provision device key, and the X509_CERTIFICATE_CHAIN key derived from the CA certificate).
import type { FastifyInstance } from 'fastify';

import { firstCertificate, sha3Hex } from './credentials-format';
import { requireTenantAdmin } from './device-routes';
import { badRequest, notFound, versionConflict } from './errors';
import { queryText, readPageLink, toPage, type PageData, type Query } from './paging';
import { readJsonObject } from './request-body';
import { defaultProfileData, entityId, readEntityId, requireUuid, type ProfileRecord, type StandInStore } from './store';

const PROVISION_TYPES = ['DISABLED', 'ALLOW_CREATE_NEW_DEVICES', 'CHECK_PRE_PROVISIONED_DEVICES', 'X509_CERTIFICATE_CHAIN'];

export function profileJson(store: StandInStore, profile: ProfileRecord): Record<string, unknown> {
  return {
    id: entityId('DEVICE_PROFILE', profile.id),
    createdTime: profile.createdTime,
    tenantId: entityId('TENANT', store.tenantId),
    name: profile.name,
    description: null,
    image: null,
    type: 'DEFAULT',
    transportType: 'DEFAULT',
    defaultRuleChainId: null,
    defaultDashboardId: null,
    defaultQueueName: null,
    firmwareId: null,
    softwareId: null,
    defaultEdgeRuleChainId: null,
    externalId: null,
    ...profile.fields,
    provisionType: profile.provisionType,
    provisionDeviceKey: profile.provisionDeviceKey,
    version: profile.version,
    default: profile.isDefault,
  };
}

export function profileInfoJson(store: StandInStore, profile: ProfileRecord): Record<string, unknown> {
  const full = profileJson(store, profile);
  return {
    id: full.id,
    name: full.name,
    image: full.image,
    defaultDashboardId: full.defaultDashboardId,
    type: full.type,
    transportType: full.transportType,
    tenantId: full.tenantId,
  };
}

function requireProfile(store: StandInStore, id: string): ProfileRecord {
  const profileId = requireUuid(id);
  const profile = store.profiles.get(profileId);
  if (profile === undefined) throw notFound(`Device profile with id [${profileId}] is not found`);
  return profile;
}

function listProfiles(store: StandInStore, query: Query): PageData<ProfileRecord> {
  const link = readPageLink(query);
  const transportType = queryText(query, 'transportType');
  const search = link.textSearch?.toLowerCase();
  const profiles = [...store.profiles.values()].filter((profile) => {
    if (transportType !== undefined && profileJson(store, profile).transportType !== transportType) return false;
    return search === undefined || profile.name.toLowerCase().includes(search);
  });
  return toPage(profiles, link, (profile) => {
    if (link.sortProperty === 'createdTime') return profile.createdTime;
    if (link.sortProperty === 'name') return profile.name;
    return profile.id;
  });
}

function provisionSecret(profileData: unknown): string | undefined {
  if (profileData === null || typeof profileData !== 'object') return undefined;
  const configuration = (profileData as Record<string, unknown>).provisionConfiguration;
  if (configuration === null || typeof configuration !== 'object') return undefined;
  const secret = (configuration as Record<string, unknown>).provisionDeviceSecret;
  return typeof secret === 'string' && secret !== '' ? secret : undefined;
}

/** Works out the profile's provision device key and rejects one another profile already uses. */
function provisionKeyFor(store: StandInStore, body: Record<string, unknown>, provisionType: string, selfId: string | undefined) {
  let key: string | null = typeof body.provisionDeviceKey === 'string' && body.provisionDeviceKey !== '' ? body.provisionDeviceKey : null;
  let duplicateMessage = 'Device profile with such provision device key already exists!';
  if (provisionType === 'X509_CERTIFICATE_CHAIN') {
    const pem = provisionSecret(body.profileData);
    if (pem === undefined) throw badRequest('Provision device secret should be specified!');
    key = sha3Hex(firstCertificate(pem));
    duplicateMessage = 'Device profile with such certificate already exists!';
  }
  const holder = key === null ? undefined : store.findProfileByProvisionKey(key);
  if (holder !== undefined && holder.id !== selfId) throw badRequest(duplicateMessage);
  return key;
}

function saveProfile(store: StandInStore, body: Record<string, unknown>): ProfileRecord {
  const name = body.name;
  if (typeof name !== 'string' || name.trim() === '') throw badRequest('Device profile name should be specified!');
  if (name.length > 255) throw badRequest('Validation error: name length must be equal or less than 255');
  const existing = body.id === undefined || body.id === null ? undefined : requireProfile(store, readEntityId(body.id, 'DEVICE_PROFILE'));
  const holder = store.findProfileByName(name);
  if (holder !== undefined && holder.id !== existing?.id) throw badRequest('Device profile with such name already exists!');
  if (existing !== undefined && typeof body.version === 'number' && body.version !== existing.version) {
    throw versionConflict('Device profile was already changed by someone else');
  }

  const provisionType = typeof body.provisionType === 'string' ? body.provisionType : 'DISABLED';
  if (!PROVISION_TYPES.includes(provisionType)) throw badRequest(`JSON parse error: unknown provisionType ${provisionType}`);
  const provisionDeviceKey = provisionKeyFor(store, body, provisionType, existing?.id);

  const fields: Record<string, unknown> = { ...body, profileData: body.profileData ?? defaultProfileData() };
  for (const derived of ['id', 'createdTime', 'tenantId', 'name', 'provisionType', 'provisionDeviceKey', 'version', 'default']) {
    delete fields[derived];
  }
  const profile = existing ?? store.addProfile({ name });
  Object.assign(profile, { name, provisionType, provisionDeviceKey, fields, version: existing === undefined ? 1 : profile.version + 1 });
  if (body.default === true) {
    for (const other of store.profiles.values()) other.isDefault = other.id === profile.id;
  }
  return profile;
}

export function registerProfileRoutes(app: FastifyInstance, store: StandInStore): void {
  app.get('/api/deviceProfileInfos', (request) => {
    requireTenantAdmin(request);
    const page = listProfiles(store, request.query as Query);
    return { ...page, data: page.data.map((profile) => profileInfoJson(store, profile)) };
  });

  app.get('/api/deviceProfiles', (request) => {
    requireTenantAdmin(request);
    const page = listProfiles(store, request.query as Query);
    return { ...page, data: page.data.map((profile) => profileJson(store, profile)) };
  });

  app.get('/api/deviceProfileInfo/default', (request) => {
    requireTenantAdmin(request);
    return profileInfoJson(store, store.defaultProfile());
  });

  app.get<{ Params: { profileId: string } }>('/api/deviceProfileInfo/:profileId', (request) => {
    requireTenantAdmin(request);
    return profileInfoJson(store, requireProfile(store, request.params.profileId));
  });

  app.get<{ Params: { profileId: string } }>('/api/deviceProfile/:profileId', (request) => {
    requireTenantAdmin(request);
    return profileJson(store, requireProfile(store, request.params.profileId));
  });

  app.post('/api/deviceProfile', (request) => {
    requireTenantAdmin(request);
    return profileJson(store, saveProfile(store, readJsonObject(request)));
  });
}
