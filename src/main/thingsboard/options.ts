// The client's constructor options and their runtime check. A client signs in either with a
// username and password (JWT pair) or with a ThingsBoard 4.3+ API key, never both.
import { z } from 'zod';

import { StationError } from '../../shared/reasons';

interface CommonOptions {
  /** Server URL without a trailing slash, e.g. http://127.0.0.1:8080. */
  baseUrl: string;
  /** Time limit for each HTTP exchange in milliseconds; default 15000. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Local clock in epoch milliseconds; default Date.now. */
  now?: () => number;
}

export interface PasswordSignIn {
  username: string;
  password: string;
  apiKey?: undefined;
}

export interface ApiKeySignIn {
  /** The key value as ThingsBoard returned it on creation ('tb_...'), sent as `ApiKey <value>`. */
  apiKey: string;
  username?: undefined;
  password?: undefined;
}

export type ThingsboardClientOptions = CommonOptions & (PasswordSignIn | ApiKeySignIn);

const functionSchema = z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', 'must be a function');

const optionsSchema = z
  .object({
    baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }),
    username: z.string().optional(),
    password: z.string().optional(),
    apiKey: z.string().min(1, 'must not be empty').optional(),
    timeoutMs: z.number().int().positive().optional(),
    fetch: functionSchema.optional(),
    now: functionSchema.optional(),
  })
  .superRefine((options, context) => {
    const hasPassword = options.username !== undefined || options.password !== undefined;
    if (options.apiKey !== undefined && hasPassword) {
      context.addIssue({ code: 'custom', message: 'give either apiKey or username and password, not both' });
    } else if (options.apiKey === undefined && (options.username === undefined || options.password === undefined)) {
      context.addIssue({ code: 'custom', message: 'give username and password, or apiKey' });
    }
  });

/**
 * Checks the options and throws 'invalid-argument' naming each bad field. The message never
 * contains a field's value, because the password and the API key are secrets.
 */
export function checkClientOptions(options: ThingsboardClientOptions): void {
  const parsed = optionsSchema.safeParse(options);
  if (parsed.success) return;
  const problems = parsed.error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.join('.') : 'options';
    return `${field}: ${issue.message}`;
  });
  throw new StationError('invalid-argument', `invalid ThingsBoard client options (${problems.join('; ')})`);
}
