// A local stand-in for a ThingsBoard server, for tests, demos and firmware work. It follows
// the REST and device-API contract the station's client uses, quirks included, serves devices
// over HTTP and MQTT (plain and TLS), keeps its data in memory and binds to loopback by default.
import type { AddressInfo } from 'node:net';

import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';

import { getLogger } from '../../main/log';
import { ApiKeyStore, registerApiKeyRoutes, type StandInApiKey } from './api-keys';
import { authenticate, DEFAULT_USERS, JwtService, registerAuthRoutes, setCurrentUser, type StandInUser } from './auth';
import { registerDeviceRoutes } from './device-routes';
import { envelopeBody, EnvelopeError, ErrorCode, errorCodeForStatus, PlainTextError } from './errors';
import { FaultController, type RequestInfo, type StandInFaults } from './faults';
import { startMqttTransport } from './mqtt-transport';
import { registerProfileRoutes } from './profile-routes';
import { seededRandom } from './random';
import { RateLimiter } from './rate-limit';
import { StandInStore } from './store';
import { registerDeviceApiRoutes, registerTelemetryRoutes } from './telemetry-routes';
import { createServerTlsIdentity } from './tls-certificate';

const log = getLogger('devkit');

export interface StandInOptions {
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Plain MQTT port (ThingsBoard's is 1883); 0 (the default) picks a free one. */
  mqttPort?: number;
  /** MQTT over TLS port (ThingsBoard's is 8883); 0 (the default) picks a free one. */
  mqttsPort?: number;
  /** Access-token lifetime in seconds; default 9000, ThingsBoard's default. */
  accessTokenTtlSeconds?: number;
  /** Refresh-token lifetime in seconds; default 604800 (7 days). */
  refreshTokenTtlSeconds?: number;
  /** Tenant REST rate limit as "capacity:seconds" entries, e.g. "100:1,3000:60"; default none. */
  restRateLimit?: string;
  /** Maximum number of devices in the tenant; 0 (the default) is unlimited. */
  maxDevices?: number;
  /** Accounts that can sign in; default tenant@thingsboard.org/tenant and sysadmin@thingsboard.org/sysadmin. */
  users?: StandInUser[];
  /** HS512 signing secret; default 64 random bytes. */
  jwtSecret?: string | Uint8Array;
  /**
   * Clock in epoch milliseconds for tokens, timestamps, the rate limiter and the `Date` header
   * of every response; default Date.now. An offset clock simulates server clock skew.
   */
  now?: () => number;
  /** API keys that exist from the start, with values the test chooses. */
  apiKeys?: StandInApiKey[];
  /** Seed for the pseudo-random generator behind faults.errorRate; default a random seed. */
  faultSeed?: number;
}

export interface StandIn {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  port: number;
  /** Plain MQTT port on the same host. */
  mqttPort: number;
  /** MQTT over TLS port on the same host. It requests, but does not require, a client certificate. */
  mqttsPort: number;
  /**
   * PEM certificate of the throwaway CA that signed the MQTT over TLS server certificate (for
   * 127.0.0.1, ::1 and localhost). A device that verifies the server trusts this CA.
   */
  mqttTlsCaPem: string;
  faults: StandInFaults;
  store: StandInStore;
  close(): Promise<void>;
}

const PUBLIC_PREFIXES = ['/api/auth/login', '/api/auth/token', '/api/noauth/', '/api/v1/'];

function needsAuthentication(path: string): boolean {
  return path.startsWith('/api/') && !PUBLIC_PREFIXES.some((prefix) => path.startsWith(prefix));
}

function pathOf(request: FastifyRequest): string {
  return request.url.split('?')[0] ?? request.url;
}

const requestInfo = new WeakMap<FastifyRequest, RequestInfo>();
const dropped = new WeakSet<FastifyRequest>();

function sendEnvelope(reply: FastifyReply, now: number, status: number, message: string, errorCode: number, extra = {}) {
  return reply.code(status).type('application/json').send(envelopeBody(status, message, errorCode, now, extra));
}

function sendPlain(reply: FastifyReply, status: number, message: string) {
  reply.code(status);
  return message === '' ? reply.send() : reply.type('text/plain; charset=UTF-8').send(message);
}

function routePatterns(app: FastifyInstance): Array<{ method: string; pattern: RegExp }> {
  const routes: Array<{ method: string; pattern: RegExp }> = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const pattern = new RegExp(`^${route.url.replace(/:[^/]+/g, '[^/]+')}$`);
    for (const method of methods) routes.push({ method, pattern });
  });
  return routes;
}

export async function startThingsboardStandIn(options: StandInOptions = {}): Promise<StandIn> {
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? Date.now;
  const store = new StandInStore(now, options.maxDevices ?? 0);
  const jwt = new JwtService(
    options.users ?? DEFAULT_USERS,
    store.tenantId,
    now,
    { access: options.accessTokenTtlSeconds ?? 9000, refresh: options.refreshTokenTtlSeconds ?? 604800 },
    options.jwtSecret,
  );
  const apiKeys = new ApiKeyStore(jwt, now);
  apiKeys.seed(options.apiKeys ?? []);
  const limiter = new RateLimiter(options.restRateLimit, now);
  const faultSeed = options.faultSeed ?? Math.floor(Math.random() * 0x1_0000_0000);
  const app = Fastify({ logger: false, bodyLimit: 16 * 1024 * 1024, forceCloseConnections: true });
  const routes = routePatterns(app);
  const tls = await createServerTlsIdentity(new Date(now()));
  const mqtt = await startMqttTransport({ host, mqttPort: options.mqttPort ?? 0, mqttsPort: options.mqttsPort ?? 0, tls, store });

  let port = options.port ?? 0;
  let down = false;
  const setDown = async (goDown: boolean): Promise<void> => {
    if (goDown === down) return;
    down = goDown;
    await mqtt.setDown(goDown);
    if (goDown) {
      await new Promise<void>((resolve) => {
        app.server.close(() => resolve());
        app.server.closeAllConnections();
      });
      // Let in-process clients see their pooled connections close, so their next request
      // is refused instead of failing on a stale socket.
      await new Promise((resolve) => setTimeout(resolve, 20));
    } else {
      await new Promise<void>((resolve) => app.server.listen(port, host, () => resolve()));
    }
    log.info({ port, down }, 'ThingsBoard stand-in availability changed');
  };
  const faults = new FaultController({
    setDown,
    expireAllTokens(refreshTokens) {
      jwt.expireAll(refreshTokens);
      log.info({ refreshTokens }, 'ThingsBoard stand-in expired every issued token');
    },
    setMaxDevices(maxDevices) {
      store.maxDevices = maxDevices;
      log.info({ maxDevices }, 'ThingsBoard stand-in device quota changed');
    },
    refuseMqtt(refuse) {
      if (mqtt.refuseAll !== refuse) log.info({ refuse }, 'ThingsBoard stand-in MQTT refusal changed');
      mqtt.refuseAll = refuse;
    },
    random: seededRandom(faultSeed),
  });

  // Every body arrives as text so each route reports a bad body the way ThingsBoard does.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.addHook('onRequest', (request, _reply, done) => {
    const info: RequestInfo = { method: request.method, path: pathOf(request), route: request.routeOptions.url, authenticated: false };
    requestInfo.set(request, info);
    faults.record(info);
    done();
  });

  app.addHook('preHandler', async (request, reply) => {
    const info = requestInfo.get(request);
    if (info === undefined) return;
    if (needsAuthentication(info.path)) {
      const user = await authenticate(request, jwt, apiKeys);
      setCurrentUser(request, user);
      info.authenticated = true;
      if (user.user.authority !== 'SYS_ADMIN' && (faults.takeRateLimitBurst(info) || !limiter.tryAcquire())) {
        throw new EnvelopeError(429, 'Too many requests for current tenant!', ErrorCode.tooManyRequests);
      }
    }

    const delay = faults.delayFor(info);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (faults.takeDrop(info)) dropped.add(request);
    const failure = faults.takeFailure(info);
    if (failure === undefined) return;
    if (failure.body === undefined) {
      const message = failure.message ?? `Injected failure ${failure.status}`;
      return sendEnvelope(reply, now(), failure.status, message, failure.errorCode ?? errorCodeForStatus(failure.status));
    }
    if (typeof failure.body === 'string') return sendPlain(reply, failure.status, failure.body);
    return reply.code(failure.status).type('application/json').send(JSON.stringify(failure.body));
  });

  app.addHook('onSend', (request, reply, payload, done) => {
    // Node would stamp the real time; the stand-in's clock lets tests simulate clock skew.
    reply.header('date', new Date(now()).toUTCString());
    // A dropped response: the handler has run and committed, but the client never hears back.
    if (dropped.has(request)) request.raw.socket.destroy();
    done(null, payload);
  });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof EnvelopeError) return sendEnvelope(reply, now(), error.status, error.message, error.errorCode, error.extra);
    if (error instanceof PlainTextError) return sendPlain(reply, error.status, error.message);
    const status = typeof (error as { statusCode?: unknown }).statusCode === 'number' ? (error as { statusCode: number }).statusCode : 500;
    if (status >= 500) log.error({ err: error, method: request.method, path: pathOf(request) }, 'stand-in handler failed');
    const message = error instanceof Error ? error.message : String(error);
    return sendEnvelope(reply, now(), status, message, errorCodeForStatus(status));
  });

  app.setNotFoundHandler((request, reply) => {
    const path = pathOf(request);
    const otherMethod = routes.some((route) => route.method !== request.method && route.pattern.test(path));
    if (otherMethod) {
      return sendEnvelope(reply, now(), 405, `Request method '${request.method}' is not supported`, ErrorCode.badRequestParams);
    }
    return sendEnvelope(reply, now(), 404, 'No static resource ' + path.replace(/^\//, '') + '.', ErrorCode.itemNotFound);
  });

  registerAuthRoutes(app, jwt);
  registerApiKeyRoutes(app, jwt, apiKeys);
  registerDeviceRoutes(app, store);
  registerProfileRoutes(app, store);
  registerTelemetryRoutes(app, store);
  registerDeviceApiRoutes(app, store);

  try {
    await app.listen({ host, port });
  } catch (error) {
    await mqtt.close();
    throw error;
  }
  port = (app.server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log.info({ url, faultSeed }, 'ThingsBoard stand-in listening');

  return {
    url,
    port,
    mqttPort: mqtt.mqttPort,
    mqttsPort: mqtt.mqttsPort,
    mqttTlsCaPem: tls.caCertificatePem,
    faults,
    store,
    async close() {
      // Fastify closes its own listener, so bring it back first if a test left it down.
      if (down) await faults.setDown(false);
      await mqtt.close();
      await app.close();
      log.info({ url }, 'ThingsBoard stand-in stopped');
    },
  };
}
