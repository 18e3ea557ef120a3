// The station's one logger: pino with a subsystem prefix on every line, and redaction of the
// fields that may carry secrets. Callers must still never put a secret into a message text.
import pino, { type Logger } from 'pino';

export type { Logger };

export type Subsystem = 'serial' | 'device' | 'store' | 'provision' | 'sync' | 'thingsboard' | 'devkit' | 'cli' | 'app' | 'api' | 'station';

const REDACTED_PATHS = [
  'token',
  'accessToken',
  'refreshToken',
  'password',
  'credentialsId',
  'credentialsValue',
  'privateKey',
  'apiKey',
  '*.apiKey',
  'fields.token',
  'fields.mqtt_password',
  'fields.private_key',
  '*.token',
  '*.password',
  '*.accessToken',
  '*.refreshToken',
  '*.credentialsId',
  '*.credentialsValue',
  'req.headers["x-authorization"]',
  'req.headers.authorization',
];

let root: Logger = pino({ level: 'silent' });
const children = new Map<Subsystem, Logger>();

/**
 * Replaces the root logger. The command line logs to a file, or to stderr with --verbose;
 * tests keep the default silent logger.
 */
export function configureLogging(options: { level: string; destination?: string | number }): void {
  const destination = pino.destination({ dest: options.destination ?? 2, sync: true, mkdir: true });
  root = pino({ level: options.level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
  children.clear();
}

function currentChild(subsystem: Subsystem): Logger {
  let child = children.get(subsystem);
  if (child === undefined) {
    child = root.child({ subsystem });
    children.set(subsystem, child);
  }
  return child;
}

/**
 * Returns a logger whose lines carry `subsystem`. It follows later calls to configureLogging,
 * so modules may create theirs at load time.
 */
export function getLogger(subsystem: Subsystem): Logger {
  return new Proxy({} as Logger, {
    get(_target, property) {
      const child = currentChild(subsystem);
      const value: unknown = Reflect.get(child, property, child);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(child) : value;
    },
  });
}
