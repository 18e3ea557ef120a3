// Shared setup for the ThingsBoard tests: a stand-in on an ephemeral loopback port and raw
// HTTP helpers for exact status and body checks.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startThingsboardStandIn, type StandIn, type StandInOptions } from '../../src/devkit/thingsboard';
import { ThingsboardClient, type PasswordSignIn, type ThingsboardClientOptions } from '../../src/main/thingsboard/client';

export const TENANT = { username: 'tenant@thingsboard.org', password: 'tenant' };

export async function startStandIn(options: StandInOptions = {}): Promise<StandIn> {
  return startThingsboardStandIn({ host: '127.0.0.1', port: 0, ...options });
}

type CommonOverrides = Partial<Omit<ThingsboardClientOptions, 'baseUrl' | 'username' | 'password' | 'apiKey'>>;

export function clientFor(server: StandIn, overrides: CommonOverrides & Partial<Omit<PasswordSignIn, 'apiKey'>> = {}) {
  return new ThingsboardClient({ baseUrl: server.url, ...TENANT, ...overrides });
}

export function apiKeyClientFor(server: StandIn, apiKey: string, overrides: CommonOverrides = {}) {
  return new ThingsboardClient({ baseUrl: server.url, apiKey, ...overrides });
}

export interface RawAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export async function raw(
  server: StandIn,
  method: string,
  path: string,
  options: { token?: string; apiKey?: string; body?: unknown; text?: string; contentType?: string } = {},
): Promise<RawAnswer> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers['X-Authorization'] = `Bearer ${options.token}`;
  if (options.apiKey !== undefined) headers['X-Authorization'] = `ApiKey ${options.apiKey}`;
  let body: string | undefined;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (options.text !== undefined) body = options.text;
  if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const response = await fetch(server.url + path, { method, headers, body });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export async function loginRaw(server: StandIn, user = TENANT): Promise<{ token: string; refreshToken: string }> {
  const answer = await raw(server, 'POST', '/api/auth/login', { body: { username: user.username, password: user.password } });
  return answer.json as { token: string; refreshToken: string };
}

/** The error envelope without its timestamp, for exact comparisons. */
export function envelope(answer: RawAnswer): Record<string, unknown> {
  const { timestamp, ...rest } = answer.json as Record<string, unknown>;
  if (typeof timestamp !== 'number') throw new Error(`envelope without a numeric timestamp: ${answer.text}`);
  return rest;
}

/** Generates a self-signed EC certificate with the openssl command line and returns its PEM. */
export function generateCertificatePem(commonName: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'tb-cert-'));
  try {
    const certificatePath = join(folder, 'cert.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-keyout', join(folder, 'key.pem'), '-out', certificatePath, '-subj', `/CN=${commonName}`, '-days', '2',
    ], { stdio: 'ignore' });
    return readFileSync(certificatePath, 'utf8');
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
