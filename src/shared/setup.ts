// The station setup: what a supervisor sets once, and the schema that checks it. The renderer
// uses the same schema to show a message per field before it sends anything, and main checks
// it again before it saves.
import { z } from 'zod';
import { CREDENTIAL_TYPES } from './domain';

export const X509_MODES = ['ca-key', 'device-csr', 'self-signed'] as const;
export const KEY_ALGORITHMS = ['ec-p256', 'rsa-2048'] as const;
export const NAMING_MODES = ['rule', 'scan'] as const;
/** provision: give units their credentials. qa: prove finished units are provisioned. */
export const STATION_MODES = ['provision', 'qa'] as const;

/** A supervisor PIN: 4 to 12 digits, typed on a keypad or a keyboard. */
export const PIN_PATTERN = /^[0-9]{4,12}$/;

const stationIdSchema = z
  .string()
  .trim()
  .min(1, 'Enter a station id, for example LINE1-ST3.')
  .max(64, 'A station id has at most 64 characters.')
  .regex(/^[A-Za-z0-9._-]+$/, 'A station id uses letters, digits, dot, dash and underscore only.');

const PORT_MESSAGE = 'A port is a whole number from 1 to 65535.';
const portSchema = z.coerce.number({ error: PORT_MESSAGE }).int(PORT_MESSAGE).min(1, PORT_MESSAGE).max(65535, PORT_MESSAGE);

const serverSchema = z.discriminatedUnion('mode', [
  z.object({
    mode: z.literal('offline'),
    /** The server host written to devices, so units provisioned offline can reach it later; empty writes none. */
    deviceHost: z
      .string()
      .trim()
      .max(255)
      .regex(/^[A-Za-z0-9.:-]*$/, 'Enter a host name or IP address, for example tb.example.com.')
      .optional(),
    mqttPort: portSchema.default(1883),
    mqttsPort: portSchema.default(8883),
  }),
  z.object({
    mode: z.literal('online'),
    url: z
      .string()
      .trim()
      .url('Enter the server address, for example http://127.0.0.1:8080.')
      .refine((value) => /^https?:\/\//i.test(value), 'The server address starts with http:// or https://.'),
    auth: z.enum(['password', 'api-key']),
    username: z.string().trim().max(255).optional(),
    /** Omitted or empty keeps the saved password. Never sent back to the renderer. */
    password: z.string().max(1024).optional(),
    /** Omitted or empty keeps the saved API key. Never sent back to the renderer. */
    apiKey: z.string().max(1024).optional(),
    /** The server's plain MQTT port, written to token and MQTT basic units. */
    mqttPort: portSchema.default(1883),
    /** The server's MQTT over TLS port, written to X.509 units. */
    mqttsPort: portSchema.default(8883),
  }),
]);

const namingSchema = z.discriminatedUnion('mode', [
  z.object({
    mode: z.literal('rule'),
    rule: z
      .string()
      .trim()
      .min(1, 'Enter a naming rule, for example {model}-{hardwareId}.')
      .max(128)
      .refine(
        (rule) => rule.replace(/\{(model|hardwareId|firmwareVersion)\}/g, '').match(/\{[^}]*\}/) === null,
        'A naming rule may use only {model}, {hardwareId} and {firmwareVersion}.',
      ),
  }),
  z.object({
    mode: z.literal('scan'),
    /** A regular expression the whole scanned serial number must match. */
    pattern: z
      .string()
      .min(1, 'Enter the pattern scanned serial numbers must match, for example ^SN[0-9]{8}$.')
      .max(256)
      .refine(isValidRegExp, 'This pattern is not a valid regular expression.'),
  }),
]);

const portsSchema = z.object({
  /** Explicit port paths, watched even when no listing shows them. */
  paths: z.array(z.string().trim().min(1).max(256)).max(32),
  /** USB matches as VID or VID:PID in hex, for example 10c4:ea60. */
  matches: z.array(z.string().trim().regex(/^[0-9a-fA-F]{4}(:[0-9a-fA-F]{4})?$/, 'A USB match is VID or VID:PID in hex, for example 10c4:ea60.')).max(32),
  /** Path patterns such as /dev/ttyUSB*. */
  patterns: z.array(z.string().trim().min(1).max(256)).max(32),
});

export const setupInputSchema = z
  .object({
    stationId: stationIdSchema,
    mode: z.enum(STATION_MODES).default('provision'),
    server: serverSchema,
    /** The ThingsBoard device profile new devices get; null keeps the server's default. */
    deviceProfile: z.string().trim().max(255).nullable(),
    credentialType: z.enum(CREDENTIAL_TYPES),
    x509Mode: z.enum(X509_MODES),
    keyAlgorithm: z.enum(KEY_ALGORITHMS),
    naming: namingSchema,
    ports: portsSchema,
    /** A new supervisor PIN; omitted keeps the current one. */
    newPin: z.string().regex(PIN_PATTERN, 'A PIN has 4 to 12 digits.').optional(),
  })
  .superRefine((input, context) => {
    if (input.ports.paths.length + input.ports.matches.length + input.ports.patterns.length === 0) {
      context.addIssue({ code: 'custom', path: ['ports'], message: 'Give at least one port: a path, a USB match or a path pattern.' });
    }
    if (input.server.mode === 'online' && input.server.auth === 'password' && (input.server.username ?? '') === '') {
      context.addIssue({ code: 'custom', path: ['server', 'username'], message: 'Enter the ThingsBoard user name.' });
    }
  });

/** A setup as callers send it; fields with a default may be left out. */
export type SetupInput = z.input<typeof setupInputSchema>;
/** A setup after the schema checked it and filled in the defaults. */
export type ParsedSetup = z.output<typeof setupInputSchema>;

/** The saved setup as the renderer gets it: each secret is replaced by whether one is saved. */
export interface StationSetup {
  /** False until a setup was saved once; the renderer then shows the first-run screen. */
  configured: boolean;
  stationId: string;
  mode: ParsedSetup['mode'];
  server:
    | { mode: 'offline'; deviceHost?: string; mqttPort?: number; mqttsPort?: number }
    | { mode: 'online'; url: string; auth: 'password' | 'api-key'; username: string | null; secretSaved: boolean; mqttPort: number; mqttsPort: number };
  deviceProfile: string | null;
  credentialType: ParsedSetup['credentialType'];
  x509Mode: ParsedSetup['x509Mode'];
  keyAlgorithm: ParsedSetup['keyAlgorithm'];
  naming: ParsedSetup['naming'];
  ports: ParsedSetup['ports'];
  pinSet: boolean;
}

/** Field path, such as "server.url", mapped to the message that states what is wrong with it. */
export type FieldErrors = Record<string, string>;

/** Checks a setup and returns one message per invalid field; an empty object means valid. */
export function validateSetup(input: unknown): FieldErrors {
  const parsed = setupInputSchema.safeParse(input);
  if (parsed.success) {
    return {};
  }
  const errors: FieldErrors = {};
  for (const issue of parsed.error.issues) {
    const key = issue.path.join('.') || 'setup';
    errors[key] ??= issue.message;
  }
  return errors;
}

function isValidRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}
