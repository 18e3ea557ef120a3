// The operator screens end to end: Debian's Chromium drives the production renderer served by
// a real `station serve`, with the ThingsBoard stand-in on loopback and simulated devices on
// socat pty pairs. Each test has its own data folder, station process and browser.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireChromium } from '../helpers/browser';
import { requireBuiltRenderer } from '../helpers/serve-process';
import { useTempDir } from '../helpers/temp-dir';
import { REASON_MESSAGES, UI_STRINGS } from '../../src/shared/messages';
import { serverDevices, TENANT, useRig } from '../integration/rig';
import type { SetupEntries } from './pages/setup-page';
import { plugDevice, portPaths } from './support/devices';
import { saveScreenshot, screenshotsFolder } from './support/screenshots';
import { UI_TIMEOUT_MS, useStationUi, type StationUi } from './support/station-ui';

const tempDir = useTempDir();
const rig = useRig();
const openStationUi = useStationUi();

/** Per-test limit: a station start, a setup and a few units, on a busy machine. */
const TEST_TIMEOUT_MS = 180_000;
const POLL = { timeout: UI_TIMEOUT_MS, interval: 250 };
const PIN = '2468';

beforeAll(() => {
  requireBuiltRenderer();
  requireChromium();
});

afterAll(() => {
  // Printed on purpose, so a run shows where its screenshots went.
  // eslint-disable-next-line no-console
  console.log(`e2e screenshots: ${screenshotsFolder()}`);
});

function tokenSetup(serverUrl: string, ports: string[]): SetupEntries {
  return {
    stationId: 'LINE1-ST3',
    server: { url: serverUrl, username: TENANT.username, password: TENANT.password },
    credentialType: 'token',
    naming: { rule: 'E2E-{hardwareId}' },
    portPaths: ports,
    pin: PIN,
  };
}

/** Sets up a new station through the first-run screen and waits for the provisioning screen. */
async function setUpStation(ui: StationUi, entries: SetupEntries): Promise<void> {
  await ui.setup.waitForFirstRun();
  await ui.setup.fill(entries);
  await ui.setup.saveFirstRun();
  await ui.provision.waitForScreen();
}

describe('operator screens in Chromium', { timeout: TEST_TIMEOUT_MS }, () => {
  it('sets up a station and passes a unit', async () => {
    const dataDir = tempDir();
    const server = await rig.server();
    const ports = portPaths(dataDir, 1);
    const ui = await openStationUi(dataDir);

    await ui.setup.waitForFirstRun();
    await saveScreenshot(ui.page, 'first-run-setup');
    await ui.setup.fill(tokenSetup(server.url, ports));
    await ui.setup.saveFirstRun();
    await ui.provision.waitForScreen();
    await plugDevice(rig, port(ports, 0), { hardwareId: 'HW-0001' });
    const card = await ui.provision.waitForResult(port(ports, 0));
    await saveScreenshot(ui.page, 'provision-pass');

    expect(card).toMatchObject({ result: 'passed', resultText: 'PASS', unitName: 'E2E-HW-0001', hardwareId: 'HW-0001' });
    expect(await ui.provision.passedCount()).toBe(1);
    await expect.poll(() => ui.header.queuedCount(), POLL).toBe(0);
    expect(await ui.header.lastSync()).not.toBeNull();
    expect((await serverDevices(server)).map((device) => device.name)).toEqual(['E2E-HW-0001']);
  });

  it('queues units offline, then syncs them', async () => {
    const dataDir = tempDir();
    const server = await rig.server();
    const ports = portPaths(dataDir, 3);
    const ui = await openStationUi(dataDir);
    await setUpStation(ui, tokenSetup(server.url, ports));
    await plugDevice(rig, port(ports, 0), { hardwareId: 'HW-0001' });
    await ui.provision.waitForResult(port(ports, 0));
    await expect.poll(() => ui.header.queuedCount(), POLL).toBe(0);

    await server.faults.setDown(true);
    await plugDevice(rig, port(ports, 1), { hardwareId: 'HW-0002' });
    await plugDevice(rig, port(ports, 2), { hardwareId: 'HW-0003' });
    const offlineCards = [await ui.provision.waitForResult(port(ports, 1)), await ui.provision.waitForResult(port(ports, 2))];

    expect(offlineCards.map((card) => card.resultText)).toEqual(['PASS', 'PASS']);
    await expect.poll(() => ui.header.queuedCount(), POLL).toBe(2);
    expect(await ui.header.queuedText()).toBe(UI_STRINGS.header.queued(2));

    await ui.header.open('queue');
    await ui.queue.waitForScreen();
    const queued = await ui.queue.rows();
    await saveScreenshot(ui.page, 'queue-with-entries');

    expect(queued.map((row) => row.unitName).sort()).toEqual(['E2E-HW-0002', 'E2E-HW-0003']);
    expect(queued.map((row) => row.state)).toEqual(['queued', 'queued']);
    for (const row of queued) {
      expect(row.reasonText).toContain(REASON_MESSAGES['server-unreachable'].message);
    }

    // The background sync runs every 5 s while uploads are queued, so the test presses no Sync now.
    await server.faults.setDown(false);
    await expect.poll(() => ui.header.queuedCount(), POLL).toBe(0);
    await expect.poll(() => ui.queue.isEmpty(), POLL).toBe(true);
    expect(await ui.header.parkedCount()).toBe(0);
    expect((await serverDevices(server)).map((device) => device.name).sort()).toEqual(['E2E-HW-0001', 'E2E-HW-0002', 'E2E-HW-0003']);
  });

  it('fails faulty devices with reasons', async () => {
    const dataDir = tempDir();
    const server = await rig.server();
    const ports = portPaths(dataDir, 3);
    const ui = await openStationUi(dataDir);
    await setUpStation(ui, tokenSetup(server.url, ports));

    await plugDevice(rig, port(ports, 0), { hardwareId: 'HW-0001' });
    await ui.provision.waitForResult(port(ports, 0));
    await plugDevice(rig, port(ports, 1), { hardwareId: 'HW-0002', faults: { silent: true } });
    await plugDevice(rig, port(ports, 2), { hardwareId: 'HW-0003', faults: { corruptReply: { always: true } } });
    const silent = await ui.provision.waitForResult(port(ports, 1));
    const corrupt = await ui.provision.waitForResult(port(ports, 2));
    await saveScreenshot(ui.page, 'provision-pass-and-fail');

    const timeout = REASON_MESSAGES['device-timeout'];
    expect(silent).toMatchObject({ result: 'failed', resultText: 'FAIL', actionText: timeout.action });
    expect(silent.reasonText).toContain(timeout.message);
    const corrupted = REASON_MESSAGES['device-corrupt-reply'];
    expect(corrupt).toMatchObject({ result: 'failed', resultText: 'FAIL', actionText: corrupted.action });
    expect(corrupt.reasonText).toContain(corrupted.message);
    expect(await ui.provision.failedCount()).toBe(2);
    expect(await ui.provision.passedCount()).toBe(1);
  });

  it('names a unit by scanned serial', async () => {
    const dataDir = tempDir();
    const server = await rig.server();
    const ports = portPaths(dataDir, 1);
    const ui = await openStationUi(dataDir);
    const pattern = '^SN[0-9]{8}$';
    await setUpStation(ui, { ...tokenSetup(server.url, ports), naming: { scanPattern: pattern } });

    await plugDevice(rig, port(ports, 0), { hardwareId: 'HW-0001' });
    const waiting = await ui.provision.waitForScanRequest(port(ports, 0));
    expect(waiting.statusText).toBe(UI_STRINGS.provision.waitingForScan);
    await expect.poll(() => ui.provision.scanInputFocused(), POLL).toBe(true);

    await ui.provision.scan('SN1234');
    await expect
      .poll(() => ui.provision.scanMessage(), POLL)
      .toEqual({ tone: 'rejected', text: UI_STRINGS.scan.rejected('SN1234', UI_STRINGS.scan.hints.pattern(pattern)) });
    await saveScreenshot(ui.page, 'provision-scan-rejected');

    // A scanner set up for a US keyboard on a French AZERTY PC types &é"'(-è_çà for 1234567890.
    const azertyScan = 'SN&é"\'(-è_';
    await ui.provision.scan(azertyScan);
    await expect
      .poll(() => ui.provision.scanMessage(), POLL)
      .toEqual({ tone: 'rejected', text: UI_STRINGS.scan.rejected(azertyScan, UI_STRINGS.scan.hints['layout-azerty']) });
    expect((await ui.provision.card(port(ports, 0))).state).toBe('waiting-for-scan');

    await ui.provision.scan('SN12345678');
    await expect
      .poll(() => ui.provision.scanMessage(), POLL)
      .toEqual({ tone: 'accepted', text: UI_STRINGS.scan.accepted('SN12345678', port(ports, 0)) });
    const named = await ui.provision.waitForResult(port(ports, 0));

    expect(named).toMatchObject({ result: 'passed', resultText: 'PASS', unitName: 'SN12345678', hardwareId: 'HW-0001' });
  });

  it('exports searched history without secrets', async () => {
    const dataDir = tempDir();
    const server = await rig.server();
    const ports = portPaths(dataDir, 2);
    const ui = await openStationUi(dataDir);
    await setUpStation(ui, tokenSetup(server.url, ports));
    await plugDevice(rig, port(ports, 0), { hardwareId: 'HW-0001' });
    const searched = await plugDevice(rig, port(ports, 1), { hardwareId: 'HW-0002' });
    await ui.provision.waitForResult(port(ports, 0));
    await ui.provision.waitForResult(port(ports, 1));

    await ui.header.open('history');
    await ui.history.waitForScreen();
    await expect.poll(async () => (await ui.history.rows()).length, POLL).toBe(2);
    await saveScreenshot(ui.page, 'history');
    await ui.history.search('HW-0002', 1);
    const rows = await ui.history.rows();
    const csv = await ui.history.exportCsv();

    expect(rows).toEqual([{ name: 'E2E-HW-0002', result: 'passed', resultText: UI_STRINGS.history.results.passed, sync: 'done' }]);
    expect(csv.fileName).toMatch(/^LINE1-ST3-history-.*\.csv$/);
    expect(csv.content).toContain('E2E-HW-0002');
    expect(csv.content).not.toContain('E2E-HW-0001');
    const token = searched.state().stored.token ?? '';
    expect(token).toMatch(/^[A-Za-z0-9]{20,32}$/);
    expect(csv.content).not.toContain(token);
  });

  it('unlocks settings only with the PIN', async () => {
    const dataDir = tempDir();
    const server = await rig.server();
    const ports = portPaths(dataDir, 1);
    const ui = await openStationUi(dataDir);
    await setUpStation(ui, tokenSetup(server.url, ports));

    await ui.header.open('settings');
    await ui.settings.waitForScreen();
    await saveScreenshot(ui.page, 'settings-locked');
    expect(await ui.settings.isLocked()).toBe(true);
    expect(await ui.settings.isFormShown()).toBe(false);

    await ui.settings.unlock('1357');
    await ui.settings.waitForUnlockError();
    expect(await ui.settings.unlockError()).toBe(UI_STRINGS.settings.wrongPin);
    expect(await ui.settings.pinFieldValue()).toBe('');
    expect(await ui.settings.isFormShown()).toBe(false);

    await ui.settings.unlock(PIN);
    await ui.settings.waitForForm();
    expect(await ui.settings.isLocked()).toBe(false);
    expect(await ui.settings.unlockError()).toBeNull();

    await ui.settings.lock();
    expect(await ui.settings.isFormShown()).toBe(false);
  });
});

function port(ports: string[], index: number): string {
  const path = ports[index];
  if (path === undefined) {
    throw new Error(`the test set up ${ports.length} ports, not ${index + 1}`);
  }
  return path;
}
