// The station's one logger: pino with a subsystem on every line, and redaction of the fields
// that may carry secrets. Callers must still never put a secret into a message text. Lines go
// to stderr or one file (the command line), or to rotating files (the desktop app).
import { join } from 'node:path';
import pino, { type DestinationStream, type Logger } from 'pino';
import pinoRoll from 'pino-roll';

export type { Logger };

export type Subsystem = 'serial' | 'device' | 'store' | 'provision' | 'sync' | 'thingsboard' | 'devkit' | 'cli' | 'app' | 'api' | 'station' | 'qa';

const REDACTED_PATHS = [
  'token',
  'accessToken',
  'refreshToken',
  'password',
  'passphrase',
  'pin',
  'newPin',
  'credentialsId',
  'credentialsValue',
  'privateKey',
  'privateKeyPem',
  'apiKey',
  'dataKey',
  '*.apiKey',
  'fields.token',
  'fields.mqtt_password',
  'fields.private_key',
  '*.token',
  '*.password',
  '*.passphrase',
  '*.pin',
  '*.newPin',
  '*.accessToken',
  '*.refreshToken',
  '*.credentialsId',
  '*.credentialsValue',
  '*.privateKey',
  '*.privateKeyPem',
  'req.headers["x-authorization"]',
  'req.headers.authorization',
];

/**
 * Values redacted wherever they appear in a line, messages and error stacks included: PEM
 * private keys, and JSON Web Tokens such as ThingsBoard's session tokens. Device access tokens
 * and passwords have no recognizable form, so only the field paths above catch them.
 */
const SECRET_PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  [/-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/g, '[redacted private key]'],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, '[redacted token]'],
];

function scrubSecrets(line: string): string {
  let scrubbed = line;
  for (const [pattern, replacement] of SECRET_PATTERNS) {
    scrubbed = scrubbed.replace(pattern, replacement);
  }
  return scrubbed;
}

export interface LogRotation {
  /** Folder of the log files, created when missing; the desktop app passes app.getPath('logs'). */
  folder: string;
  /** File name before the number: "station" gives station.1.log, station.2.log, ... */
  baseName?: string;
  /** Size in bytes at which a new file starts. */
  maxFileBytes?: number;
  /** Older files kept besides the current one; older ones are deleted. */
  keepFiles?: number;
}

export interface LoggingOptions {
  level: string;
  /** A file path or a file descriptor; stderr (2) by default. */
  destination?: string | number;
}

export interface RotatingLoggingOptions {
  level: string;
  rotation: LogRotation;
}

/** 10 MiB per file and 10 older files: about 110 MiB at most, a few weeks of a busy line at info level (an estimate). */
const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;
const DEFAULT_KEEP_FILES = 10;

let root: Logger = pino({ level: 'silent' });
let rotatingStream: { end(): void } | undefined;
const children = new Map<Subsystem, Logger>();

/**
 * Replaces the root logger. The command line logs to a file, or to stderr with --verbose, and
 * tests keep the default silent logger. With `rotation`, lines go to numbered files that roll
 * over at a size, and the call returns a promise that resolves once the first file is open.
 * Lines are written synchronously in every case, so a crash loses none that were logged.
 */
export function configureLogging(options: LoggingOptions): void;
export function configureLogging(options: RotatingLoggingOptions): Promise<void>;
export function configureLogging(options: LoggingOptions | RotatingLoggingOptions): void | Promise<void> {
  if ('rotation' in options) {
    return openRotatingFiles(options.rotation).then((stream) => {
      replaceRoot(options.level, stream);
      rotatingStream = stream;
    });
  }
  replaceRoot(options.level, pino.destination({ dest: options.destination ?? 2, sync: true, mkdir: true }));
}

function openRotatingFiles(rotation: LogRotation): Promise<DestinationStream & { end(): void }> {
  return pinoRoll({
    file: join(rotation.folder, rotation.baseName ?? 'station'),
    extension: '.log',
    size: `${Math.max(1, Math.round((rotation.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES) / 1024))}k`,
    limit: { count: rotation.keepFiles ?? DEFAULT_KEEP_FILES },
    mkdir: true,
    sync: true,
    // Log lines name ports, units and server hosts: readable by the OS user only.
    mode: 0o600,
  });
}

function replaceRoot(level: string, destination: DestinationStream): void {
  const previous = rotatingStream;
  rotatingStream = undefined;
  root = pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, hooks: { streamWrite: scrubSecrets } }, destination);
  children.clear();
  previous?.end();
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
