// `station demo`: a ThingsBoard stand-in and N simulated devices on pty pairs (or in-process
// when pty pairs cannot be made), provisioned offline, then synced, with a summary that shows
// each device's credential equals the one the server holds.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSerialLink, type SerialLinkOptions } from '../../main/device/serial-link';
import { runProvisionJob, type ProvisionOutcome, type ProvisionRequest } from '../../main/provisioning/provision-job';
import { runQaJob } from '../../main/qa/qa-job';
import { Store, type X509Mode } from '../../main/store/store';
import { syncOutbox } from '../../main/sync/sync';
import { credentialsMatch, ThingsboardClient, type TbDeviceCredentials } from '../../main/thingsboard/client';
import { createIssuer } from '../../main/credentials/x509/create-issuer';
import { createPassphraseProtector } from '../../main/credentials/x509/key-protector';
import type { X509Settings } from '../../main/provisioning/x509-credential';
import { IssuerStore } from '../../main/store/issuer-store';
import type { CredentialType } from '../../shared/domain';
import { createPtyPair, isSocatAvailable } from '../../devkit/pty-pair';
import { startSimulatorOnSerial, type SimulatorOptions } from '../../devkit/simulator';
import { startThingsboardStandIn } from '../../devkit/thingsboard';
import { attachVirtualDevice } from '../../devkit/virtual-serial';
import { describeReason } from '../../shared/messages';
import { EXIT, formatTable } from '../output';

export interface DemoOptions {
  units: number;
  credential: CredentialType;
  x509Mode: X509Mode;
  baud: number;
  /** True to provision every unit at once, one job per port, instead of one after another. */
  parallel?: boolean;
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
/** Passphrase of the demo's throwaway issuing CA, which lives only in the demo's temp folder. */
const DEMO_ISSUER_PASSPHRASE = 'demo issuer passphrase';

export async function demoCommand(options: DemoOptions): Promise<number> {
  const units = Math.max(1, options.units);
  const dir = mkdtempSync(join(tmpdir(), 'station-demo-'));
  const server = await startThingsboardStandIn({ port: 0 });
  const devices: DemoDevice[] = [];

  try {
    console.log(`ThingsBoard stand-in listening on ${server.url} (user ${DEMO_USER.username}, password ${DEMO_USER.password})`);
    console.log(`  MQTT on port ${server.mqttPort}, MQTT over TLS on port ${server.mqttsPort}; devices are given these ports`);
    const usePty = process.platform !== 'win32' && (await isSocatAvailable());
    if (!usePty) {
      console.log('socat is not available, so the simulated devices are connected in-process through a virtual serial port.');
    }
    for (let index = 1; index <= units; index += 1) {
      // The devices trust the stand-in's throwaway TLS CA, so an X.509 unit's CONNECT verifies the server.
      devices.push(await startDemoDevice(dir, index, { baudRate: options.baud, serverCaPem: server.mqttTlsCaPem }, usePty));
    }

    const mode = options.parallel === true ? 'all at once, one job per port' : 'one after another';
    console.log(`\nStep 1: provision ${units} unit(s) with ${describeCredential(options)}, ${mode}, with no server connection (offline)`);
    const store = new Store(join(dir, 'station.db'));
    const x509 = options.credential === 'x509' ? await demoX509Settings(store, options.x509Mode) : undefined;
    const provisionOne = (device: DemoDevice): Promise<ProvisionOutcome> =>
      provisionDemoDevice(device, {
        store,
        credentialType: options.credential,
        ...(x509 === undefined ? {} : { x509 }),
        server: { host: '127.0.0.1', port: server.mqttPort, tlsPort: server.mqttsPort },
        baudRate: options.baud || 115_200,
      });

    const started = Date.now();
    const outcomes: ProvisionOutcome[] = [];
    if (options.parallel === true) {
      outcomes.push(...(await Promise.all(devices.map(provisionOne))));
    } else {
      for (const device of devices) {
        outcomes.push(await provisionOne(device));
      }
    }
    console.log(`  Provisioned ${units} unit(s) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    console.log(`  Outbox: ${store.outboxCounts().queued} upload(s) queued in ${store.path}`);

    console.log('\nStep 2: sync the outbox to the server');
    const client = new ThingsboardClient({ baseUrl: server.url, ...DEMO_USER });
    const summary = await syncOutbox(store, client);
    console.log(`  synced ${summary.synced}, queued ${summary.queued}, parked ${summary.parked}`);

    console.log('\nStep 3: compare the credential in each device with the one on the server');
    const rows = [];
    let allGood = true;
    for (const [index, outcome] of outcomes.entries()) {
      const device = devices[index];
      const row = await checkUnit(client, outcome, device?.stateFile ?? '');
      allGood &&= row.result === 'passed' && row['device credential = server credential'] === 'yes';
      rows.push(row);
    }
    console.log(formatTable(rows));

    console.log('\nStep 4: QA each unit: identity, stored credential, server, certificate, key, and a live connection');
    for (const device of devices) {
      allGood = (await qaDemoDevice(device, store, client, options.baud || 115_200)) && allGood;
    }

    console.log(allGood ? `\nAll ${units} unit(s) provisioned, verified, registered on the server and passed QA.` : '\nSome units failed; see above.');
    const kept = options.keep === true ? '' : ' (removed on exit; --keep keeps it)';
    console.log(`Station database: ${store.path}${kept}`);
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

/** Opens the device's port, runs one provisioning job on it, and prints its PASS or FAIL line. */
async function provisionDemoDevice(
  device: DemoDevice,
  job: Omit<ProvisionRequest, 'link'> & { baudRate: number },
): Promise<ProvisionOutcome> {
  const { baudRate, ...request } = job;
  const link = await openSerialLink(device.stationPath, { ...device.linkOptions, baudRate });
  try {
    const outcome = await runProvisionJob({ ...request, link });
    const status = outcome.result === 'passed' ? 'PASS' : 'FAIL';
    const why = outcome.reason === undefined ? '' : ` (${describeReason(outcome.reason.code, outcome.reason.detail)})`;
    console.log(`  ${status}  ${outcome.name ?? '?'} on ${device.label}${why}`);
    return outcome;
  } finally {
    await link.close();
  }
}

/** Runs the QA checks on one device and prints its line; returns whether it passed. */
async function qaDemoDevice(device: DemoDevice, store: Store, client: ThingsboardClient, baudRate: number): Promise<boolean> {
  const link = await openSerialLink(device.stationPath, { ...device.linkOptions, baudRate });
  try {
    const outcome = await runQaJob({ store, link, client, operator: 'demo' });
    const failed = outcome.checks.filter((check) => check.verdict === 'failed').map((check) => check.check);
    const checked = outcome.checks.filter((check) => check.verdict === 'passed').length;
    const detail = failed.length === 0 ? `${checked} checks passed` : `failed: ${failed.join(', ')}`;
    console.log(`  ${outcome.result === 'passed' ? 'PASS' : 'FAIL'}  ${outcome.name ?? '?'} (${detail})`);
    return outcome.result === 'passed';
  } finally {
    await link.close();
  }
}

async function startDemoDevice(
  dir: string,
  index: number,
  settings: Pick<SimulatorOptions, 'baudRate' | 'serverCaPem'>,
  usePty: boolean,
): Promise<DemoDevice> {
  const stateFile = join(dir, `device-${index}.json`);
  const simulatorOptions: SimulatorOptions = { stateFile, model: 'PS-SIM-1', ...settings };

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

/** Compares the credential in the simulator's flash with the server's, read through its REST API. */
async function checkUnit(client: ThingsboardClient, outcome: ProvisionOutcome, stateFile: string) {
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { stored?: Record<string, string> };
  let same = false;
  let onServer = false;
  if (outcome.name !== undefined) {
    const device = await client.getDeviceByName(outcome.name);
    if (device !== null) {
      onServer = true;
      same = deviceHoldsServerCredential(state.stored ?? {}, await client.getDeviceCredentials(device.id.id));
    }
  }
  return {
    device: outcome.name ?? '?',
    'hardware id': outcome.hardwareId ?? '?',
    result: outcome.result,
    'on server': onServer ? 'yes' : 'no',
    'device credential = server credential': same ? 'yes' : 'no',
  };
}

function deviceHoldsServerCredential(stored: Record<string, string>, held: TbDeviceCredentials): boolean {
  switch (held.credentialsType) {
    case 'ACCESS_TOKEN':
      return stored.token !== undefined && stored.token === held.credentialsId;
    case 'MQTT_BASIC':
      return credentialsMatch(
        { credentialsType: 'MQTT_BASIC', credentialsValue: JSON.stringify({ clientId: stored.mqtt_client_id, userName: stored.mqtt_username, password: stored.mqtt_password }) },
        held,
      );
    case 'X509_CERTIFICATE':
      return stored.certificate !== undefined && stored.private_key !== undefined && credentialsMatch({ credentialsType: 'X509_CERTIFICATE', credentialsValue: stored.certificate }, held);
    default:
      return false;
  }
}

function describeCredential(options: DemoOptions): string {
  if (options.credential === 'x509') {
    return `X.509 certificates (${options.x509Mode})`;
  }
  return options.credential === 'token' ? 'access tokens' : 'MQTT basic credentials';
}

/** Creates a throwaway issuing CA in the demo database, unless the certificates are self-signed. */
async function demoX509Settings(store: Store, mode: X509Mode): Promise<X509Settings> {
  const issuerStore = new IssuerStore(store.database);
  const settings: X509Settings = { mode, keyAlgorithm: 'ec-p256', issuerStore };
  if (mode !== 'self-signed') {
    const protector = createPassphraseProtector(DEMO_ISSUER_PASSPHRASE);
    await issuerStore.saveIssuer(await createIssuer({ name: 'Provisioning Station demo' }), protector, 'created');
    settings.issuer = await issuerStore.loadActiveIssuer(protector);
    console.log('  Created a demo issuing CA (a root and an intermediate) in the demo database.');
  }
  return settings;
}
