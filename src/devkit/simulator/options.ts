// Options of the simulated device, as a zod schema so the command line and tests validate
// them the same way, and the parser for `--fault` flags.
import { z } from 'zod';
import { StationError } from '../../shared/reasons';

export const SIMULATOR_STEPS = ['hello', 'write', 'commit', 'verify', 'genkey', 'csr', 'erase', 'sign', 'connect'] as const;
export type SimulatorStep = (typeof SIMULATOR_STEPS)[number];

const stepSchema = z.enum(SIMULATOR_STEPS);

/** Target of a one-shot fault: a command, a 1-based request number, or both. With neither, the first request. */
const faultTargetSchema = z.object({
  command: stepSchema.optional(),
  request: z.number().int().positive().optional(),
});
export type FaultTarget = z.infer<typeof faultTargetSchema>;

export const simulatorFaultsSchema = z.object({
  /** Drop the reply to the targeted request, once. */
  dropReply: faultTargetSchema.optional(),
  /** Flip one byte in the reply to the targeted request, once, or in every reply from then on. */
  corruptReply: faultTargetSchema.extend({ always: z.boolean().optional() }).optional(),
  /** Delay every reply by this many milliseconds, even past the protocol's deadline. */
  lateReplyMs: z.number().int().nonnegative().optional(),
  /** Never reply to anything. */
  silent: z.boolean().optional(),
  /** Print boot log lines when the port opens and a log line after every reply. */
  bootNoise: z.boolean().optional(),
  /** Close the port, without replying, when a request for this step arrives. */
  hangUpAt: stepSchema.optional(),
  /** Reply `ERR code=sign-failed` to every SIGN, as a device whose crypto fails. */
  noSign: z.boolean().optional(),
  /** Sign with a fresh key instead of the stored one, so the signature fails against the certificate. */
  wrongKey: z.boolean().optional(),
  /** Fail every CONNECT with `network-failed` before any network I/O, as a device without a network. */
  noNetwork: z.boolean().optional(),
});
export type SimulatorFaults = z.infer<typeof simulatorFaultsSchema>;

export const simulatorOptionsSchema = z.object({
  /** JSON file that is the device's flash: stored fields, identity and pending key. */
  stateFile: z.string().min(1),
  /** Printable ASCII without spaces. Default: the one in the state file, or a new random id. */
  hardwareId: z.string().regex(/^[!-~]{1,64}$/, 'hardware id must be 1 to 64 printable ASCII characters without spaces').optional(),
  model: z.string().min(1).max(64).optional(),
  firmwareVersion: z.string().min(1).max(32).optional(),
  /** Receive buffer size in bytes, reported in HELLO as the largest frame the device accepts. */
  maxFrameSize: z.number().int().min(32).max(65_536).default(256),
  /**
   * Line speed in bit/s, 10 bits per byte: a request is served once its bytes would have arrived
   * and replies go out at this rate. 0 turns pacing off in both directions.
   */
  baudRate: z.number().int().nonnegative().default(115_200),
  /** Protocol version reported in HELLO; tests change it to check version handling. */
  protocolVersion: z.string().regex(/^\d+\.\d+$/).default('1.1'),
  /**
   * PEM CA certificates that CONNECT trusts for the server's TLS certificate, in place of the
   * stored ca_chain field. The stand-in's is StandIn.mqttTlsCaPem.
   */
  serverCaPem: z.string().min(1).optional(),
  /** Devkit only: CONNECT accepts any TLS server certificate. A real device must never do this. */
  insecureTls: z.boolean().default(false),
  faults: simulatorFaultsSchema.default({}),
});
export type SimulatorOptions = z.input<typeof simulatorOptionsSchema>;
export type ResolvedSimulatorOptions = z.output<typeof simulatorOptionsSchema>;

export const DEFAULT_MODEL = 'PS-SIM-1';
export const DEFAULT_FIRMWARE_VERSION = '1.0.0';

export const FAULT_FLAG_HELP = [
  'drop-reply[:<step>|:<n>]        drop one reply (to the first request by default)',
  'corrupt-reply[:<step>|:<n>][:always]  flip a byte in one reply, or in every reply from then on',
  'late-reply:<ms>                 delay every reply',
  'silent                          never reply',
  'boot-noise                      print boot log lines around the frames',
  'hang-up:<step>                  close the port when that step arrives',
  'no-sign                         reply sign-failed to every SIGN',
  'wrong-key                       sign with a key other than the certificate\'s',
  'no-network                      fail every CONNECT as a device without a network',
  `steps: ${SIMULATOR_STEPS.join(', ')}`,
].join('\n');

/** Parses `--fault` values such as `drop-reply:commit` or `late-reply:1500`; throws on an invalid one. */
export function parseFaultFlags(flags: readonly string[]): SimulatorFaults {
  const faults: SimulatorFaults = {};
  for (const flag of flags) {
    const [name, ...parts] = flag.split(':');
    switch (name) {
      case 'drop-reply':
        faults.dropReply = parseTarget(flag, parts);
        break;
      case 'corrupt-reply': {
        const always = parts.at(-1) === 'always';
        faults.corruptReply = { ...parseTarget(flag, always ? parts.slice(0, -1) : parts), always };
        break;
      }
      case 'late-reply':
        faults.lateReplyMs = parseCount(flag, parts[0]);
        break;
      case 'silent':
        faults.silent = true;
        break;
      case 'boot-noise':
        faults.bootNoise = true;
        break;
      case 'hang-up':
        faults.hangUpAt = parseStep(flag, parts[0]);
        break;
      case 'no-sign':
        faults.noSign = parseSwitch(flag, parts);
        break;
      case 'wrong-key':
        faults.wrongKey = parseSwitch(flag, parts);
        break;
      case 'no-network':
        faults.noNetwork = parseSwitch(flag, parts);
        break;
      default:
        throw new StationError(
          'invalid-argument',
          `unknown fault "${flag}"; use drop-reply, corrupt-reply, late-reply, silent, boot-noise, hang-up, no-sign, wrong-key or no-network (see docs/device-protocol.md)`,
        );
    }
  }
  return simulatorFaultsSchema.parse(faults);
}

function parseTarget(flag: string, parts: string[]): FaultTarget {
  if (parts.length > 1) {
    throw new Error(`invalid fault "${flag}": expected at most one step or request number`);
  }
  const [target] = parts;
  if (target === undefined) {
    return {};
  }
  return /^\d+$/.test(target) ? { request: parseCount(flag, target) } : { command: parseStep(flag, target) };
}

function parseSwitch(flag: string, parts: string[]): true {
  if (parts.length > 0) {
    throw new Error(`invalid fault "${flag}": it takes no value`);
  }
  return true;
}

function parseStep(flag: string, value: string | undefined): SimulatorStep {
  const step = SIMULATOR_STEPS.find((candidate) => candidate === value);
  if (step === undefined) {
    throw new Error(`invalid fault "${flag}": expected a step, one of ${SIMULATOR_STEPS.join(', ')}`);
  }
  return step;
}

function parseCount(flag: string, value: string | undefined): number {
  if (value === undefined || !/^\d+$/.test(value)) {
    throw new Error(`invalid fault "${flag}": expected a whole number`);
  }
  return Number(value);
}
