// The `station` command line: the station's services from a terminal. See README.md.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { FAULT_FLAG_HELP } from '../devkit/simulator';
import { configureLogging, getLogger } from '../main/log';
import { demoCommand } from './commands/demo';
import { deviceCommand, serverCommand } from './commands/devkit';
import { issuerCreateCommand, issuerImportCommand, issuerShowCommand, issuerVerifyLogCommand } from './commands/issuer';
import { outboxCommand, resolveCommand } from './commands/outbox';
import { qaCommand, qaReportCommand } from './commands/qa';
import { statusCommand } from './commands/status';
import { provisionCommand } from './commands/provision';
import { runCommand } from './commands/run';
import { defaultDatabasePath, serveCommand } from './commands/serve';
import { syncCommand } from './commands/sync';
import { StationError } from '../shared/reasons';
import { EXIT, reportError } from './output';

function positiveInteger(name: string) {
  return (value: string): number => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < 0) {
      throw new InvalidArgumentError(`${name} must be a whole number, got "${value}"`);
    }
    return number;
  };
}

function tcpPort(name: string) {
  return (value: string): number => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < 1 || number > 65_535) {
      throw new InvalidArgumentError(`${name} must be a TCP port from 1 to 65535, got "${value}"`);
    }
    return number;
  };
}

/**
 * Logs go to a file beside the database (or stderr with --verbose), so stderr keeps one-line
 * reasons. Commands that only read a database start no log file beside a missing one.
 */
function setUpLogging(options: { db?: string; verbose?: boolean; logFile?: string; createsDatabase?: boolean }): void {
  if (options.verbose === true) {
    configureLogging({ level: 'debug', destination: 2 });
  } else if (options.logFile !== undefined) {
    configureLogging({ level: 'info', destination: resolve(options.logFile) });
  } else if (options.db !== undefined && (options.createsDatabase === true || existsSync(options.db))) {
    configureLogging({ level: 'info', destination: `${resolve(options.db)}.log` });
  }
}

const serverOptions = (command: Command): Command =>
  command
    .option('--server <url>', 'ThingsBoard base URL, e.g. http://127.0.0.1:8080')
    .option('--username <user>', 'ThingsBoard tenant user (or STATION_SERVER_USERNAME)')
    .option('--password <password>', 'ThingsBoard password (or STATION_SERVER_PASSWORD, which keeps it out of the process list)')
    .option('--api-key <key>', 'ThingsBoard 4.3+ API key instead of a user (better: STATION_SERVER_API_KEY)')
    .option('--mqtt-port <n>', "the server's plain MQTT port, written to token and MQTT basic units (default: 1883)", tcpPort('--mqtt-port'))
    .option('--mqtts-port <n>', "the server's MQTT over TLS port, written to X.509 units (default: 8883)", tcpPort('--mqtts-port'));

const program = new Command('station')
  .description('Provisioning Station: write ThingsBoard credentials into devices over serial and sync them.')
  .option('--verbose', 'log everything to stderr instead of the log file')
  .option('--log-file <file>', 'write the log here (default: the database path + .log)')
  .exitOverride()
  // Options belong to the command they follow, so `outbox --db` and `outbox resolve --db` differ.
  .enablePositionalOptions()
  .configureOutput({ outputError: (text, write) => write(text.split('\n')[0] + '\n') });

/** Adds the X.509 options that `provision` and `run` share. */
function x509Options(command: Command): Command {
  return command
    .addOption(new Option('--x509-mode <mode>', 'with --credential x509: who makes the key and who signs').choices(['self-signed', 'ca-key', 'device-csr']).default('ca-key'))
    .addOption(new Option('--key-algorithm <algorithm>', 'with --credential x509: device key type').choices(['ec-p256', 'rsa-2048']).default('ec-p256'))
    .option('--cert-validity-days <days>', 'device certificate validity, never beyond the issuing CA (default: 3650)', positiveInteger('--cert-validity-days'))
    .option('--cert-backdate-minutes <minutes>', 'notBefore this far before the time of issue, for devices without a clock (default: 60)', positiveInteger('--cert-backdate-minutes'))
    .option('--cn-pattern <regex>', "the device profile's certificateRegExPattern; names it does not match are not signed");
}

serverOptions(x509Options(
  program
    .command('provision')
    .description('provision the device on a serial port, then sync it if --server is given')
    .option('--device-host <host>', 'without --server: the server host written to devices, so units provisioned offline reach it later (ports: --mqtt-port, --mqtts-port)')
    .requiredOption('--port <path>', 'serial port of the device, e.g. /dev/ttyUSB0')
    .requiredOption('--db <file>', 'station database file (created when missing; its key is <file>.key)')
    .option('--name <name>', 'device name to use instead of the naming rule')
    .option('--naming-rule <rule>', 'device name from {model}, {hardwareId} and {firmwareVersion}', '{model}-{hardwareId}')
    .addOption(new Option('--credential <type>', 'credential kind').choices(['token', 'mqtt-basic', 'x509']).default('token'))
    .option('--baud <rate>', 'serial baud rate', positiveInteger('--baud'), 115200)
    .option('--json', 'print one JSON object as the last line of stdout'),
)).action(async (options: Parameters<typeof provisionCommand>[0]) => {
  setUpLogging({ ...program.opts(), db: options.db, createsDatabase: true });
  process.exitCode = await provisionCommand(options);
});

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

serverOptions(
  program
    .command('qa')
    .description('prove the unit on a serial port is really provisioned: identity, stored credential, server, certificate, key, live connection')
    .requiredOption('--port <path>', 'serial port of the device, e.g. /dev/ttyUSB0')
    .requiredOption('--db <file>', 'station database file (created when missing; its key is <file>.key)')
    .option('--name <name>', "the unit's device name, when this station did not provision it")
    .option('--naming-rule <rule>', 'device name rule to find a unit this station did not provision', '{model}-{hardwareId}')
    .option('--root <file>', 'PEM root CA certificate that device certificates must chain to (repeatable; default: this station\'s issuing root)', collect)
    .option('--operator <name>', 'who runs QA, recorded with the result (default: the login name)')
    .option('--baud <rate>', 'serial baud rate', positiveInteger('--baud'), 115200)
    .option('--json', 'print one JSON object as the last line of stdout'),
).action(async (options: Parameters<typeof qaCommand>[0]) => {
  setUpLogging({ ...program.opts(), db: options.db, createsDatabase: true });
  process.exitCode = await qaCommand(options);
});

program
  .command('qa-report')
  .description('print every QA run of this station as CSV, newest first')
  .requiredOption('--db <file>', 'station database file')
  .option('--limit <runs>', 'most runs to print', positiveInteger('--limit'), 100000)
  .action((options: { db: string; limit: number }) => {
    setUpLogging({ ...program.opts(), db: options.db });
    process.exitCode = qaReportCommand(options);
  });

serverOptions(x509Options(
  program
    .command('run')
    .description('provision every unit plugged into the given ports, one job per port at once, until Ctrl+C')
    .option('--device-host <host>', 'without --server: the server host written to devices, so units provisioned offline reach it later (ports: --mqtt-port, --mqtts-port)')
    .requiredOption('--db <file>', 'station database file (created when missing; its key is <file>.key)')
    .option('--port <path[=identity]>', 'serial port to serve, watched until it exists (repeatable); =IDENTITY names the device behind it, so a job follows it to another path after a reset', collect)
    .option('--match <vid:pid>', 'serve every USB serial port with this vendor and product id, e.g. 1a86:7523 (repeatable)', collect)
    .option('--port-pattern <glob>', 'serve every listed port whose path matches, e.g. /dev/ttyUSB* (repeatable)', collect)
    .option('--naming-rule <rule>', 'device name from {model}, {hardwareId} and {firmwareVersion}', '{model}-{hardwareId}')
    .addOption(new Option('--credential <type>', 'credential kind').choices(['token', 'mqtt-basic', 'x509']).default('token'))
    .option('--baud <rate>', 'serial baud rate', positiveInteger('--baud'), 115200)
    .option('--json', 'print one JSON object per unit on stdout'),
)).action(async (options: Parameters<typeof runCommand>[0]) => {
  setUpLogging({ ...program.opts(), db: options.db, createsDatabase: true });
  process.exitCode = await runCommand(options);
});

serverOptions(
  program
    .command('sync')
    .description('upload every queued unit to ThingsBoard')
    .requiredOption('--db <file>', 'station database file')
    .option('--watch', 'keep syncing until Ctrl+C, resuming by itself when the server comes back')
    .option('--interval <seconds>', 'with --watch: seconds between runs while the server is reachable', positiveInteger('--interval'), 10)
    .option('--concurrency <units>', 'units uploaded at once; one unit’s steps stay in order', positiveInteger('--concurrency'), 4)
    .option('--json', 'print one JSON object as the last line of stdout'),
).action(async (options: Parameters<typeof syncCommand>[0]) => {
  setUpLogging({ ...program.opts(), db: options.db });
  process.exitCode = await syncCommand(options);
});

const outbox = program
  .command('outbox')
  .description('list the uploads held, queued, done, parked and retired')
  // Not a required option here: Commander would then demand it of `outbox resolve` too.
  .option('--db <file>', 'station database file (required)')
  .option('--json', 'print one JSON object as the last line of stdout')
  .action((options: { db?: string; json?: boolean }) => {
    if (options.db === undefined) {
      throw new StationError('invalid-argument', "required option '--db <file>' not specified");
    }
    setUpLogging({ ...program.opts(), db: options.db });
    process.exitCode = outboxCommand({ ...options, db: options.db });
  });

outbox
  .command('resolve <id>')
  .description('answer a parked upload: --overwrite the server with the station credential, or --reprovision the unit')
  .requiredOption('--db <file>', 'station database file')
  .option('--overwrite', 'replace the server device credentials with the station credential at the next sync')
  .option('--reprovision', 'retire the station credential, so the next provisioning of the unit issues a new one')
  .action((id: string, options: { db: string; overwrite?: boolean; reprovision?: boolean }) => {
    setUpLogging({ ...program.opts(), db: options.db });
    process.exitCode = resolveCommand(id, options);
  });

program
  .command('status')
  .description('show the outbox counts, last contact with the server and the last error')
  .requiredOption('--db <file>', 'station database file')
  .option('--json', 'print one JSON object as the last line of stdout')
  .action((options: { db: string; json?: boolean }) => {
    setUpLogging({ ...program.opts(), db: options.db });
    process.exitCode = statusCommand(options);
  });

program
  .command('demo')
  .description('start a ThingsBoard stand-in and simulated devices, provision them all, then sync')
  .option('--units <count>', 'how many simulated devices', positiveInteger('--units'), 3)
  .addOption(new Option('--credential <type>', 'credential kind').choices(['token', 'mqtt-basic', 'x509']).default('token'))
  .addOption(new Option('--x509-mode <mode>', 'with --credential x509: who makes the key and who signs').choices(['self-signed', 'ca-key', 'device-csr']).default('ca-key'))
  .option('--baud <rate>', 'simulated UART speed in baud (0: unpaced)', positiveInteger('--baud'), 115200)
  .option('--parallel', 'provision every unit at once, one job per port, instead of one after another')
  .option('--keep', 'keep the stand-in running after the summary, until Ctrl+C')
  .action(async (options: Parameters<typeof demoCommand>[0]) => {
    setUpLogging(program.opts());
    process.exitCode = await demoCommand(options);
  });

program
  .command('serve')
  .description('serve the operator screens to a browser on this machine, with a per-run token in the URL, until Ctrl+C')
  .option('--db <file>', `station database file (default: the desktop app's, ${defaultDatabasePath()})`)
  .option('--port <n>', 'TCP port on 127.0.0.1 (0: any free port)', positiveInteger('--port'), 0)
  .option('--json', 'print one JSON object {"url", "port", "db"} as the first line of stdout')
  .action(async (options: { db?: string; port: number; json?: boolean }) => {
    const db = options.db ?? defaultDatabasePath();
    setUpLogging({ ...program.opts(), db, createsDatabase: true });
    process.exitCode = await serveCommand({ ...options, db });
  });

const issuer = program.command('issuer').description("the station's issuing CA (passphrase from a prompt or STATION_ISSUER_PASSPHRASE)");

issuer
  .command('create')
  .description("create a root CA and this station's intermediate, the key sealed with the passphrase")
  .requiredOption('--db <file>', 'station database file')
  .addOption(new Option('--key <algorithm>', 'CA key type').choices(['ec-p256', 'rsa-2048']).default('ec-p256'))
  .option('--name <name>', 'subject name of the CAs (default: Provisioning Station <station id>)')
  .option('--replace', 'retire the current issuing CA; devices it signed keep chaining to the old root')
  .option('--json', 'print one JSON object as the last line of stdout')
  .action(async (options: Parameters<typeof issuerCreateCommand>[0]) => {
    setUpLogging({ ...program.opts(), db: options.db, createsDatabase: true });
    process.exitCode = await issuerCreateCommand(options);
  });

issuer
  .command('import')
  .description('import an existing issuing CA (key file passphrase from a prompt or STATION_IMPORT_PASSPHRASE)')
  .requiredOption('--db <file>', 'station database file')
  .option('--cert <file>', 'CA certificate, PEM or DER; a PEM file may add the CAs above it')
  .option('--key <file>', 'CA private key: PKCS#8 (encrypted or not), PKCS#1 or SEC1, PEM or DER')
  .option('--pkcs12 <file>', 'PKCS#12 bundle with the CA key and certificate, instead of --cert and --key')
  .option('--replace', 'retire the current issuing CA; devices it signed keep chaining to the old root')
  .option('--json', 'print one JSON object as the last line of stdout')
  .action(async (options: Parameters<typeof issuerImportCommand>[0]) => {
    setUpLogging({ ...program.opts(), db: options.db });
    process.exitCode = await issuerImportCommand(options);
  });

issuer
  .command('show')
  .description('print the issuing chain as PEM, intermediate first, root last')
  .requiredOption('--db <file>', 'station database file')
  .action(async (options: { db: string }) => {
    setUpLogging({ ...program.opts(), db: options.db });
    process.exitCode = await issuerShowCommand(options);
  });

issuer
  .command('verify-log')
  .description('check that no entry of the issuance log was altered, removed or reordered')
  .requiredOption('--db <file>', 'station database file')
  .option('--json', 'print one JSON object as the last line of stdout')
  .action(async (options: { db: string; json?: boolean }) => {
    setUpLogging({ ...program.opts(), db: options.db });
    process.exitCode = await issuerVerifyLogCommand(options);
  });

const devkit = program.command('devkit').description('tools for tests, demos and firmware work');

devkit
  .command('server')
  .description('run the ThingsBoard stand-in on 127.0.0.1 until Ctrl+C')
  .option('--port <n>', 'TCP port (0: any free port)', positiveInteger('--port'), 8080)
  .option('--mqtt-port <n>', 'plain MQTT port (0: any free port; ThingsBoard uses 1883)', positiveInteger('--mqtt-port'), 0)
  .option('--mqtts-port <n>', 'MQTT over TLS port (0: any free port; ThingsBoard uses 8883)', positiveInteger('--mqtts-port'), 0)
  .option('--mqtt-ca-file <file>', 'write the CA certificate of the MQTT over TLS listener here, for devices that verify the server')
  .option('--access-token-ttl <seconds>', 'lifetime of issued access tokens', positiveInteger('--access-token-ttl'))
  .action(async (options: Parameters<typeof serverCommand>[0]) => {
    setUpLogging(program.opts());
    process.exitCode = await serverCommand(options);
  });

devkit
  .command('device')
  .description('run a simulated device on a serial path until Ctrl+C')
  .requiredOption('--serial <path>', 'serial path to serve, e.g. the far end of a socat pty pair')
  .requiredOption('--state <file>', 'JSON file that keeps the device flash across restarts')
  .option('--hardware-id <id>', 'hardware id (default: random, kept in the state file)')
  .option('--model <model>', 'model name the device reports')
  .option('--firmware <version>', 'firmware version the device reports')
  .option('--baud <rate>', 'UART speed the replies are paced at (0: unpaced)', positiveInteger('--baud'), 115200)
  .option('--max-frame-size <bytes>', 'receive buffer size the device reports and enforces (default: 256)', positiveInteger('--max-frame-size'))
  .option('--fault <fault...>', 'fault to inject (repeatable); see below and docs/device-protocol.md')
  .option('--server-ca <file>', 'PEM CA certificates CONNECT trusts for the server, instead of the stored ca_chain field')
  .option('--insecure-tls', 'CONNECT accepts any TLS server certificate (devkit only; a real device must verify)')
  .addHelpText('after', `\nFaults:\n${FAULT_FLAG_HELP}`)
  .action(async (options: Parameters<typeof deviceCommand>[0]) => {
    setUpLogging(program.opts());
    process.exitCode = await deviceCommand(options);
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has already printed its one-line message (or the help text).
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    getLogger('cli').error({ err: error, command: process.argv[2] }, 'command failed');
    process.exitCode = reportError(error);
  }
}
