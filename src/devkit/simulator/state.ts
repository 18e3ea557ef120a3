// The simulated device's flash: a JSON file that survives a restart of the simulator. It
// contains the device private key too, because this file is the device's own storage.
import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { KEY_ALGORITHMS } from '../../main/device/protocol';

const pendingKeySchema = z.object({
  algorithm: z.enum(KEY_ALGORITHMS),
  commonName: z.string(),
  generation: z.string(),
  privateKeyPem: z.string(),
  csrPem: z.string(),
});
export type PendingKey = z.infer<typeof pendingKeySchema>;

const deviceStateSchema = z.object({
  hardwareId: z.string(),
  model: z.string(),
  firmwareVersion: z.string(),
  /** Committed fields, by name. */
  stored: z.record(z.string(), z.string()),
  /** True when stored.private_key came from GENKEY rather than from a WRITE. */
  deviceKeyInstalled: z.boolean().default(false),
  /** Key from GENKEY whose certificate has not been committed yet. */
  pendingKey: pendingKeySchema.nullable().default(null),
});
export type DeviceState = z.infer<typeof deviceStateSchema>;

/** Reads the state file, or returns undefined when it does not exist yet. */
export async function loadDeviceState(file: string): Promise<DeviceState | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw error;
  }

  const parsed = deviceStateSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new Error(`simulator state file ${file} is invalid: ${parsed.error.message}; delete it to start with an empty device`);
  }
  return parsed.data;
}

/** Writes the whole state to a temp file and renames it over the old one, so a crash leaves either version. */
export async function saveDeviceState(file: string, state: DeviceState): Promise<void> {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  await rename(temp, file);
}

export function newHardwareId(): string {
  return `SIM-${randomBytes(6).toString('hex')}`;
}
