// `station demo`: a ThingsBoard stand-in and N simulated devices on pty pairs (or in-process
// when pty pairs cannot be made), provisioned offline, then synced, with a summary that shows
// each device's token equals the one the server holds.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSerialLink, type SerialLinkOptions } from '../../main/device/serial-link';
import { runProvisionJob, type ProvisionOutcome } from '../../main/provisioning/provision-job';
import { Store } from '../../main/store/store';
import { syncOutbox } from '../../main/sync/sync';
import { ThingsboardClient } from '../../main/thingsboard/client';
import { createPtyPair, isSocatAvailable } from '../../devkit/pty-pair';
import { startSimulatorOnSerial } from '../../devkit/simulator';
import { startThingsboardStandIn } from '../../devkit/thingsboard';
import { attachVirtualDevice } from '../../devkit/virtual-serial';
import { describeReason } from '../../shared/messages';
import { EXIT, formatTable } from '../output';

export interface DemoOptions {
  units: number;
  baud: number;
  keep?: boolean;
}

interface DemoDevice {
  label: string;
  stationPath: string;
  stateFile: string;
  linkOptions: SerialLinkOptions;
  close(): Promise<void>;
}

const DEMO_USER = { username: 'tenant@thingsboard.org', password: 'tenant' };

export async function demoCommand(options: DemoOptions): Promise<number> {
  const units = Math.max(1, options.units);
  const dir = mkdtempSync(join(tmpdir(), 'station-demo-'));
  const server = await startThingsboardStandIn({ port: 0 });
  const devices: DemoDevice[] = [];

  try {
    console.log(`ThingsBoard stand-in listening on ${server.url} (user ${DEMO_USER.username}, password ${DEMO_USER.password})`);
    const usePty = process.platform !== 'win32' && (await isSocatAvailable());
    if (!usePty) {
      console.log('socat is not available, so the simulated devices are connected in-process through a virtual serial port.');
    }
    for (let index = 1; index <= units; index += 1) {
      devices.push(await startDemoDevice(dir, index, options.baud, usePty));
    }

    console.log(`\nStep 1: provision ${units} unit(s) with no server connection (offline)`);
    const store = new Store(join(dir, 'station.db'));
    const outcomes: ProvisionOutcome[] = [];
    for (const device of devices) {
      const link = await openSerialLink(device.stationPath, { ...device.linkOptions, baudRate: options.baud || 115_200 });
      try {
        const outcome = await runProvisionJob({
          store,
          link,
          credentialType: 'token',
          server: { host: '127.0.0.1', port: server.port },
        });
        outcomes.push(outcome);
        const status = outcome.result === 'passed' ? 'PASS' : 'FAIL';
        const why = outcome.reason === undefined ? '' : ` (${describeReason(outcome.reason.code, outcome.reason.detail)})`;
        console.log(`  ${status}  ${outcome.name ?? '?'} on ${device.label}${why}`);
      } finally {
        await link.close();
      }
    }
    console.log(`  Outbox: ${store.outboxCounts().queued} upload(s) queued in ${store.path}`);

    console.log('\nStep 2: sync the outbox to the server');
    const client = new ThingsboardClient({ baseUrl: server.url, ...DEMO_USER });
    const summary = await syncOutbox(store, client);
    console.log(`  synced ${summary.synced}, queued ${summary.queued}, parked ${summary.parked}`);

    console.log('\nStep 3: compare what each device holds with what the server holds');
    const rows = [];
    let allGood = true;
    for (const [index, outcome] of outcomes.entries()) {
      const device = devices[index];
      const row = await checkUnit(client, outcome, device?.stateFile ?? '');
      allGood &&= row.result === 'passed' && row['token on device = token on server'] === 'yes';
      rows.push(row);
    }
    console.log(formatTable(rows));

    console.log(allGood ? `\nAll ${units} unit(s) provisioned, verified and registered on the server.` : '\nSome units failed; see above.');
    console.log(`Station database: ${store.path} (uploads: ${JSON.stringify(store.outboxCounts())})`);
    store.close();

    if (options.keep === true) {
      console.log(`\nThe stand-in keeps running at ${server.url}; press Ctrl+C to stop.`);
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    }
    return allGood ? EXIT.ok : EXIT.failed;
  } finally {
    for (const device of devices) {
      await device.close();
    }
    await server.close();
    if (options.keep !== true) {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

async function startDemoDevice(dir: string, index: number, baudRate: number, usePty: boolean): Promise<DemoDevice> {
  const stateFile = join(dir, `device-${index}.json`);
  const simulatorOptions = { stateFile, model: 'PS-SIM-1', baudRate };

  if (usePty) {
    const pair = await createPtyPair();
    const simulator = await startSimulatorOnSerial(pair.devicePath, simulatorOptions);
    return {
      label: pair.stationPath,
      stationPath: pair.stationPath,
      stateFile,
      linkOptions: {},
      async close() {
        await simulator.close();
        await pair.close();
      },
    };
  }

  const virtual = await attachVirtualDevice(`demo-${index}`, simulatorOptions);
  return { label: virtual.path, stationPath: virtual.path, stateFile, linkOptions: { binding: virtual.binding }, close: () => virtual.close() };
}

/** Reads the device's token from the simulator's flash and the server's through its REST API. */
async function checkUnit(client: ThingsboardClient, outcome: ProvisionOutcome, stateFile: string) {
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { stored?: Record<string, string> };
  const deviceToken = state.stored?.token;
  let serverToken: string | undefined;
  if (outcome.name !== undefined) {
    const device = await client.getDeviceByName(outcome.name);
    if (device !== null) {
      serverToken = (await client.getDeviceCredentials(device.id.id)).credentialsId ?? undefined;
    }
  }
  const same = deviceToken !== undefined && deviceToken === serverToken;
  return {
    device: outcome.name ?? '?',
    'hardware id': outcome.hardwareId ?? '?',
    result: outcome.result,
    'on server': serverToken === undefined ? 'no' : 'yes',
    'token on device = token on server': same ? 'yes' : 'no',
  };
}
