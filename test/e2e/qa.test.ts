// A QA station end to end. A unit provisioned with `station provision` on the command line is
// proven by a real `station serve` in QA mode, which is set up through the setup form in
// Debian's Chromium. The ThingsBoard stand-in runs on loopback and the device is simulated on a
// pty pair.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StandIn } from '../../src/devkit/thingsboard';
import { REASON_MESSAGES, UI_STRINGS } from '../../src/shared/messages';
import { requireChromium } from '../helpers/browser';
import { runStation } from '../helpers/run-station';
import { requireBuiltRenderer } from '../helpers/serve-process';
import { useTempDir } from '../helpers/temp-dir';
import { TENANT, useRig } from '../integration/rig';
import { QaPage } from './pages/qa-page';
import type { SetupEntries } from './pages/setup-page';
import { plugDevice, portPaths } from './support/devices';
import { saveScreenshot, screenshotsFolder } from './support/screenshots';
import { useStationUi } from './support/station-ui';

const tempDir = useTempDir();
const rig = useRig();
const openStationUi = useStationUi();

/** Per-test limit: a provisioning run, a station start, a setup and one QA run, on a busy machine. */
const TEST_TIMEOUT_MS = 180_000;

beforeAll(() => {
  requireBuiltRenderer();
  requireChromium();
});

afterAll(() => {
  // Printed on purpose, so a run shows where its screenshots went.
  // eslint-disable-next-line no-console
  console.log(`e2e screenshots: ${screenshotsFolder()}`);
});

/** Gives the unit a token with the real command line, so QA finds this station's record of it. */
async function provisionWithCli(db: string, port: string, server: StandIn): Promise<string> {
  const run = await runStation([
    'provision',
    '--port',
    port,
    '--db',
    db,
    '--server',
    server.url,
    '--username',
    TENANT.username,
    '--password',
    TENANT.password,
    '--mqtt-port',
    String(server.mqttPort),
    '--mqtts-port',
    String(server.mqttsPort),
    '--json',
  ]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return String(run.json?.name);
}

function qaSetup(server: StandIn, port: string): SetupEntries {
  return {
    stationId: 'LINE1-QA1',
    server: { url: server.url, username: TENANT.username, password: TENANT.password },
    // fill() sets these before QA mode hides them, and a QA station does not use them.
    credentialType: 'token',
    naming: { rule: '{model}-{hardwareId}' },
    portPaths: [port],
    pin: '2468',
  };
}

/** Plugs in a unit and provisions it on the command line; returns its port and device name. */
async function provisionedUnit(dataDir: string, server: StandIn, hardwareId: string): Promise<{ port: string; unitName: string }> {
  const [port = ''] = portPaths(dataDir, 1);
  // insecureTls lets the device's live connection accept the stand-in's throwaway TLS certificate.
  await plugDevice(rig, port, { hardwareId, insecureTls: true });
  const unitName = await provisionWithCli(join(dataDir, 'station.db'), port, server);
  return { port, unitName };
}

describe('QA station in Chromium', { timeout: TEST_TIMEOUT_MS }, () => {
  it('passes a provisioned unit through every check', async () => {
    const dataDir = tempDir();
    const server = await rig.server();
    const { port, unitName } = await provisionedUnit(dataDir, server, 'HW-QA-0001');

    const ui = await openStationUi(dataDir);
    const qa = new QaPage(ui.page);
    await ui.setup.waitForFirstRun();
    await ui.setup.fill(qaSetup(server, port));
    await qa.chooseMode('qa');
    await saveScreenshot(ui.page, 'qa-setup');
    await ui.setup.saveFirstRun();
    const card = await qa.waitForResult(port);
    await saveScreenshot(ui.page, 'qa-card');

    expect(await qa.headerMode()).toEqual({ mode: 'qa', text: UI_STRINGS.header.modes.qa });
    expect(await qa.screenButtonText()).toBe(UI_STRINGS.nav.qa);
    expect(card).toMatchObject({ result: 'passed', resultText: 'PASS', tone: 'pass', unitName, hardwareId: 'HW-QA-0001' });
    expect(card.checks.map((row) => [row.check, row.verdict, row.verdictText])).toEqual([
      ['identity', 'passed', 'PASS'],
      ['stored-credential', 'passed', 'PASS'],
      ['server', 'passed', 'PASS'],
      ['certificate', 'not-applicable', 'N/A'],
      ['key-possession', 'not-applicable', 'N/A'],
      ['live-connection', 'passed', 'PASS'],
    ]);
    for (const row of card.checks) {
      expect(row.reasonText, row.check ?? '').toBeNull();
    }
  });

  it('leaves an offline unit pending its server checks', async () => {
    const dataDir = tempDir();
    const server = await rig.server();
    const { port, unitName } = await provisionedUnit(dataDir, server, 'HW-QA-0002');

    const ui = await openStationUi(dataDir);
    const qa = new QaPage(ui.page);
    await ui.setup.waitForFirstRun();
    await ui.setup.fill(qaSetup(server, port));
    await qa.chooseOffline();
    await qa.chooseMode('qa');
    await ui.setup.saveFirstRun();
    const card = await qa.waitForResult(port);
    await saveScreenshot(ui.page, 'qa-card-pending');

    const waits = REASON_MESSAGES['qa-server-unreachable'];
    expect(card).toMatchObject({ result: 'pending', resultText: UI_STRINGS.qa.pending, tone: 'pending', unitName });
    expect(card.checks.map((row) => [row.check, row.verdict, row.verdictText])).toEqual([
      ['identity', 'passed', 'PASS'],
      ['stored-credential', 'passed', 'PASS'],
      ['server', 'deferred', 'WAITING'],
      ['certificate', 'not-applicable', 'N/A'],
      ['key-possession', 'not-applicable', 'N/A'],
      ['live-connection', 'deferred', 'WAITING'],
    ]);
    for (const row of card.checks.filter((each) => each.verdict === 'deferred')) {
      expect(row.reasonText, row.check ?? '').toContain(waits.message);
      expect(row.actionText, row.check ?? '').toBe(waits.action);
    }
  });
});
