// `station run` as an operator starts it: one child process serving several pty ports, each
// with a simulated device on the far end, stopped with SIGINT at the end of each test.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import { createPtyPair, isSocatAvailable } from '../../src/devkit/pty-pair';
import { SerialPort } from 'serialport';
import { SimulatedDevice, startSimulatorOnSerial } from '../../src/devkit/simulator';
import { serverArgs, serverDevices, useRig } from '../integration/rig';
import { runStation } from '../helpers/run-station';
import { useTempDir } from '../helpers/temp-dir';

const STATION_BIN = fileURLToPath(new URL('../../bin/station.js', import.meta.url));
const hasSocat = await isSocatAvailable();

interface UnitLine {
  port: string;
  name: string | null;
  hardwareId: string | null;
  result: 'passed' | 'failed';
  reason: string | null;
  reasonCode: string | null;
  synced: boolean;
  resumed: boolean;
  previousPort: string | null;
  identity: string | null;
  durationMs: number;
}

/** A running `station run --json`, with its unit lines as they arrive. */
class StationRun {
  readonly units: UnitLine[] = [];
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly exited: Promise<number | null>;
  private stdout = '';
  private stderr = '';

  constructor(args: string[], env: Record<string, string> = {}) {
    this.child = spawn(process.execPath, [STATION_BIN, 'run', '--json', ...args], { stdio: 'pipe', env: { ...process.env, ...env } });
    this.child.stdout.on('data', (chunk: Buffer) => this.read(chunk.toString()));
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.on('close', (code) => resolve(code)));
  }

  /** Waits until `count` unit lines have arrived, or fails with what the station printed. */
  async waitForUnits(count: number, timeoutMs = 20_000): Promise<UnitLine[]> {
    const started = Date.now();
    while (this.units.length < count) {
      if (Date.now() - started > timeoutMs) {
        throw new Error(`${this.units.length} of ${count} unit lines after ${timeoutMs} ms; stderr: ${this.stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this.units.slice(0, count);
  }

  unitOn(port: string): UnitLine | undefined {
    return this.units.find((unit) => unit.port === port);
  }

  async stop(): Promise<number | null> {
    this.child.kill('SIGINT');
    return this.exited;
  }

  private read(text: string): void {
    this.stdout += text;
    const lines = this.stdout.split('\n');
    this.stdout = lines.pop() ?? '';
    for (const line of lines) {
      this.units.push(JSON.parse(line) as UnitLine);
    }
  }
}

/**
 * Starts a device whose cable is pulled when COMMIT arrives: the simulator closes its end and
 * the whole pty pair goes away, as a USB adapter's port does when it is unplugged.
 */
async function startUnpluggedAtCommit(stateFile: string): Promise<{ stationPath: string; close(): Promise<void> }> {
  const pair = await createPtyPair();
  const port = new SerialPort({ path: pair.devicePath, baudRate: 115_200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  const closePort = (): Promise<void> => new Promise((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));

  const device = await SimulatedDevice.create(
    { stateFile, baudRate: 0, faults: { hangUpAt: 'commit' } },
    {
      write: (bytes) => new Promise((resolve, reject) => port.write(bytes, (error) => (error ? reject(error) : resolve()))),
      hangUp: async () => {
        await closePort();
        await pair.close();
      },
    },
  );
  port.on('data', (chunk: Buffer) => device.receive(chunk));
  port.on('error', () => undefined);

  return {
    stationPath: pair.stationPath,
    close: async () => {
      device.stop();
      await closePort();
      await pair.close();
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe.skipIf(!hasSocat)('station run', () => {
  const rig = useRig();
  const tempDir = useTempDir();

  it('two ports pass at once', async () => {
    const dir = tempDir();
    const server = await rig.server();
    const first = await rig.device(dir, 'first');
    const second = await rig.device(dir, 'second');
    const run = new StationRun(['--db', join(dir, 'station.db'), '--port', first.stationPath, '--port', second.stationPath, ...serverArgs(server)]);

    try {
      const units = await run.waitForUnits(2);
      for (const unit of units) {
        expect(unit.result).toBe('passed');
        expect(unit.synced).toBe(true);
        expect(unit.reason).toBeNull();
      }
      expect(run.unitOn(first.stationPath)?.hardwareId).toBe(first.state().hardwareId);
      expect(run.unitOn(second.stationPath)?.hardwareId).toBe(second.state().hardwareId);
      expect((await serverDevices(server)).map((device) => device.name).sort()).toEqual(units.map((unit) => unit.name).sort());
    } finally {
      expect(await run.stop()).toBe(0);
    }
  });

  it('x509 units on two ports', async () => {
    const dir = tempDir();
    const db = join(dir, 'station.db');
    const passphrase = { STATION_ISSUER_PASSPHRASE: 'correct horse battery staple' };
    expect((await runStation(['issuer', 'create', '--db', db], { env: passphrase })).code).toBe(0);
    const server = await rig.server();
    const first = await rig.device(dir, 'first');
    const second = await rig.device(dir, 'second');
    const run = new StationRun(['--db', db, '--port', first.stationPath, '--port', second.stationPath, '--credential', 'x509', ...serverArgs(server)], passphrase);

    try {
      const units = await run.waitForUnits(2);
      expect(units.map((unit) => unit.result)).toEqual(['passed', 'passed']);
      expect(units.every((unit) => unit.synced)).toBe(true);
      for (const device of [first, second]) {
        expect(device.state().stored.certificate).toContain('BEGIN CERTIFICATE');
        expect(device.state().stored.private_key).toContain('PRIVATE KEY');
      }
      const devices = await serverDevices(server);
      expect(devices.map((device) => device.credentialsType)).toEqual(['X509_CERTIFICATE', 'X509_CERTIFICATE']);
    } finally {
      await run.stop();
    }
  });

  it('refuses provision while run holds database', async () => {
    const dir = tempDir();
    const db = join(dir, 'station.db');
    const device = await rig.device(dir, 'unit');
    const run = new StationRun(['--db', db, '--port', join(dir, 'no-such-port')]);

    try {
      await vi.waitFor(() => expect(existsSync(`${db}.lock`)).toBe(true), { timeout: 20_000 });
      const provision = await runStation(['provision', '--port', device.stationPath, '--db', db]);

      expect(provision.code).toBe(1);
      expect(provision.stderr).toContain('Another program is using this station database');
      expect(provision.stderr).toContain('station run');
      expect(device.state().stored).toEqual({});
    } finally {
      await run.stop();
    }
    expect(existsSync(`${db}.lock`)).toBe(false);
  });

  it('unplug mid-write fails one port', async () => {
    const dir = tempDir();
    const unplugged = await startUnpluggedAtCommit(join(dir, 'unplugged.json'));
    // Paced at 115200 baud, as a real UART is, so this job takes longer than the unplugged one.
    const steady = await rig.device(dir, 'steady', { baudRate: 115_200 });
    const run = new StationRun(['--db', join(dir, 'station.db'), '--port', unplugged.stationPath, '--port', steady.stationPath]);

    try {
      // The unplugged job ends at once, but its report waits the reconnect window (10 s) for
      // the device to return, so the steady port reports first.
      const units = await run.waitForUnits(2, 30_000);
      expect(units[0]?.port).toBe(steady.stationPath);
      const failed = run.unitOn(unplugged.stationPath);
      expect(failed?.result).toBe('failed');
      expect(failed?.reasonCode).toBe('port-closed');
      expect(failed?.reason).toContain('The device was disconnected');
      expect(failed?.resumed).toBe(false);
      expect(run.unitOn(steady.stationPath)?.result).toBe('passed');
    } finally {
      await run.stop();
      await unplugged.close();
    }
  });

  // The device resets at COMMIT and returns on another path with its flash intact. Its identity
  // is either given with both paths, or, for ports without one, the hardware id from HELLO.
  for (const { label, identity, given } of [
    { label: 'given identity', identity: 'given:UNIT-1', given: '=UNIT-1' },
    { label: 'hardware id', identity: null, given: '' },
  ]) {
    it(`device back on new path resumes by ${label}`, async () => {
      const dir = tempDir();
      const unplugged = await startUnpluggedAtCommit(join(dir, 'unit.json'));
      const laterPath = join(dir, 'port-b');
      const run = new StationRun(['--db', join(dir, 'station.db'), '--port', `${unplugged.stationPath}${given}`, '--port', `${laterPath}${given}`]);

      try {
        while (existsSync(unplugged.stationPath)) {
          await sleep(50);
        }
        const hardwareId = (JSON.parse(readFileSync(join(dir, 'unit.json'), 'utf8')) as { hardwareId: string }).hardwareId;
        const device = await rig.device(dir, 'unit');
        symlinkSync(device.stationPath, laterPath);

        const [unit] = await run.waitForUnits(1);
        expect(unit?.port).toBe(laterPath);
        expect(unit?.result).toBe('passed');
        expect(unit?.resumed).toBe(true);
        expect(unit?.previousPort).toBe(unplugged.stationPath);
        expect(unit?.hardwareId).toBe(hardwareId);
        expect(unit?.identity).toBe(identity);
        expect(device.state().stored.token).toBeDefined();

        // The job on the first path was continued, so it never reports as a unit of its own.
        await sleep(1500);
        expect(run.units).toHaveLength(1);
      } finally {
        await run.stop();
        await unplugged.close();
      }
    });
  }

  it('vanished port ends its job quickly', async () => {
    const dir = tempDir();
    const pair = await createPtyPair();
    // A silent device keeps the job waiting for replies far longer than the test allows.
    const simulator = await startSimulatorOnSerial(pair.devicePath, { stateFile: join(dir, 'silent.json'), baudRate: 0, faults: { silent: true } });
    const run = new StationRun(['--db', join(dir, 'station.db'), '--port', pair.stationPath]);

    try {
      // Unplug only once the job is under way, however long the station took to start.
      await waitForJobStep(join(dir, 'station.db'), 'hello');
      await simulator.close();
      await pair.close();

      // The silent device would keep the job waiting for many seconds; the unplug ends it first.
      const [unit] = await run.waitForUnits(1);
      expect(unit?.result).toBe('failed');
      expect(unit?.reasonCode).toBe('port-closed');
      expect(jobSteps(join(dir, 'station.db'))).toContain('hello:failed');
    } finally {
      await run.stop();
    }
  });

  it('port that appears later starts', async () => {
    const dir = tempDir();
    const laterPath = join(dir, 'later-port');
    const run = new StationRun(['--db', join(dir, 'station.db'), '--port', laterPath]);

    try {
      await sleep(1000);
      expect(run.units).toHaveLength(0);

      const device = await rig.device(dir, 'later');
      symlinkSync(device.stationPath, laterPath);
      const [unit] = await run.waitForUnits(1);
      expect(unit?.port).toBe(laterPath);
      expect(unit?.result).toBe('passed');
      expect(unit?.hardwareId).toBe(device.state().hardwareId);
    } finally {
      await run.stop();
    }
  });

  it('failed unit is retried once back', { timeout: 60_000 }, async () => {
    const dir = tempDir();
    const device = await rig.device(dir, 'flaky', { hardwareId: 'RETRY-1', faults: { hangUpAt: 'commit' } });
    const run = new StationRun(['--db', join(dir, 'station.db'), '--port', device.stationPath]);

    try {
      const [failed] = await run.waitForUnits(1);
      expect(failed?.result).toBe('failed');

      // The technician power-cycles the unit behind an adapter that stays plugged in: for a
      // moment nothing answers on the port, then the unit boots again without its fault.
      await device.restart({ faults: { silent: true } });
      await sleep(2500);
      await device.restart({ faults: {} });
      const units = await run.waitForUnits(2, 30_000);

      expect(units[1]?.result).toBe('passed');
      expect(units[1]?.hardwareId).toBe('RETRY-1');
      expect(device.state().stored.token).toMatch(/^[A-Za-z0-9]{20,32}$/);
    } finally {
      await run.stop();
    }
  });

  it('next unit on same port', async () => {
    const dir = tempDir();
    const device = await rig.device(dir, 'bench-a');
    const run = new StationRun(['--db', join(dir, 'station.db'), '--port', device.stationPath]);

    try {
      const [first] = await run.waitForUnits(1);
      // The same unit stays plugged in: no second job may start for it.
      await sleep(2500);
      expect(run.units).toHaveLength(1);

      await device.restart({ stateFile: join(dir, 'bench-b.json'), hardwareId: 'NEXT-UNIT-2' });
      const units = await run.waitForUnits(2);
      expect(units[1]?.result).toBe('passed');
      expect(units[1]?.hardwareId).toBe('NEXT-UNIT-2');
      expect(units[1]?.hardwareId).not.toBe(first?.hardwareId);
    } finally {
      await run.stop();
    }
  });
});

function jobSteps(db: string): string[] {
  const database = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const rows = database.prepare('SELECT step, state FROM job_steps ORDER BY id').all() as Array<{ step: string; state: string }>;
    return rows.map((row) => `${row.step}:${row.state}`);
  } finally {
    database.close();
  }
}

/** Waits until the station's journal shows `step` started, so the job is really running. */
async function waitForJobStep(db: string, step: string, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (existsSync(db)) {
      try {
        if (jobSteps(db).includes(`${step}:started`)) {
          return;
        }
      } catch {
        // The station may still be creating the schema; try again.
      }
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`no job reached ${step} within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
