// The setup store: the draft, its field messages, saving it and the server's profiles.
import { describe, expect, it } from 'vitest';
import { applyEvent, createStores } from '../../src/renderer/src/app/stores';
import { visibleErrors } from '../../src/renderer/src/features/setup/store';
import { fieldMessage } from '../../src/renderer/src/features/setup/form';
import { describeReason } from '../../src/shared/messages';
import { FakeStation, makeSetup } from './fake-station';

async function loaded(setup = makeSetup()): Promise<{ station: FakeStation; stores: ReturnType<typeof createStores> }> {
  const station = new FakeStation();
  station.setup = setup;
  const stores = createStores(station);
  await stores.setup.getState().load();
  return { station, stores };
}

function shownMessage(stores: ReturnType<typeof createStores>, path: string): string | undefined {
  return fieldMessage(visibleErrors(stores.setup.getState()), path);
}

const FIRST_RUN = makeSetup({ configured: false, ports: { paths: [], matches: [], patterns: [] } });

describe('setup store messages', () => {
  it('fills the draft from the saved setup', async () => {
    const { stores } = await loaded(makeSetup({ ports: { paths: ['/dev/ttyUSB0', '/dev/ttyUSB1'], matches: ['10c4:ea60'], patterns: [] } }));

    const form = stores.setup.getState().form;
    expect(form?.stationId).toBe('LINE1-ST3');
    expect(form?.portPaths).toBe('/dev/ttyUSB0\n/dev/ttyUSB1');
    expect(form?.portMatches).toBe('10c4:ea60');
  });

  it('hides a message until the field is left', async () => {
    const { stores } = await loaded();

    stores.setup.getState().setField('stationId', 'line 1');
    expect(shownMessage(stores, 'stationId')).toBeUndefined();

    stores.setup.getState().touch('stationId');
    expect(shownMessage(stores, 'stationId')).toBe('A station id uses letters, digits, dot, dash and underscore only.');
  });

  it('updates a left field as the user types', async () => {
    const { stores } = await loaded();
    stores.setup.getState().touch('stationId');

    stores.setup.getState().setField('stationId', '');
    expect(shownMessage(stores, 'stationId')).toBe('Enter a station id, for example LINE1-ST3.');

    stores.setup.getState().setField('stationId', 'LINE2-ST1');
    expect(shownMessage(stores, 'stationId')).toBeUndefined();
  });

  it('numbers the line of a wrong USB match', async () => {
    const { stores } = await loaded();

    stores.setup.getState().setField('portMatches', '10c4:ea60\nzz');
    stores.setup.getState().touch('portMatches');

    expect(shownMessage(stores, 'ports.matches')).toBe('Line 2: A USB match is VID or VID:PID in hex, for example 10c4:ea60.');
  });

  it('needs at least one port', async () => {
    const { stores } = await loaded();

    stores.setup.getState().setField('portPaths', '  \n');
    stores.setup.getState().touch('portPaths');

    expect(visibleErrors(stores.setup.getState()).ports).toBe('Give at least one port: a path, a USB match or a path pattern.');
  });

  it('needs a PIN on the first run only', async () => {
    const firstRun = await loaded(FIRST_RUN);
    firstRun.stores.setup.getState().setField('portPaths', '/dev/ttyUSB0');
    expect(firstRun.stores.setup.getState().clientErrors.newPin).toBe('Set a supervisor PIN of 4 to 12 digits.');

    const later = await loaded();
    expect(later.stores.setup.getState().clientErrors.newPin).toBeUndefined();
  });

  it('needs the PIN typed twice alike', async () => {
    const { stores } = await loaded();

    stores.setup.getState().setField('newPin', '1234');
    stores.setup.getState().setField('newPinRepeat', '1243');

    expect(stores.setup.getState().clientErrors.newPinRepeat).toBe('The two PINs differ.');
  });

  it('needs a password unless one is saved', async () => {
    const { stores } = await loaded();
    stores.setup.getState().setField('serverMode', 'online');
    stores.setup.getState().setField('serverUrl', 'http://127.0.0.1:8080');
    stores.setup.getState().setField('username', 'tenant@example.com');
    expect(stores.setup.getState().clientErrors['server.password']).toBe('Enter the password.');

    const saved = await loaded(makeSetup({ server: { mode: 'online', url: 'http://127.0.0.1:8080', auth: 'password', username: 'tenant@example.com', secretSaved: true, mqttPort: 1883, mqttsPort: 8883 } }));
    expect(saved.stores.setup.getState().clientErrors['server.password']).toBeUndefined();
  });

  it('needs an API key when the saved secret is a password', async () => {
    const { stores } = await loaded(makeSetup({ server: { mode: 'online', url: 'http://127.0.0.1:8080', auth: 'password', username: 'tenant@example.com', secretSaved: true, mqttPort: 1883, mqttsPort: 8883 } }));

    stores.setup.getState().setField('auth', 'api-key');

    expect(stores.setup.getState().clientErrors['server.apiKey']).toBe('Enter the API key.');
  });

  it('keeps a draft when the setup changes elsewhere', async () => {
    const { stores } = await loaded();
    stores.setup.getState().setField('stationId', 'LINE9-ST9');

    applyEvent(stores, { type: 'setup', setup: makeSetup({ stationId: 'OTHER' }) });

    expect(stores.setup.getState().form?.stationId).toBe('LINE9-ST9');
    expect(stores.setup.getState().saved?.stationId).toBe('OTHER');
  });

  it('follows the setup when there is no draft', async () => {
    const { stores } = await loaded();

    applyEvent(stores, { type: 'setup', setup: makeSetup({ stationId: 'OTHER' }) });

    expect(stores.setup.getState().form?.stationId).toBe('OTHER');
  });
});

describe('setup store saving', () => {
  it('does not send an invalid draft', async () => {
    const { station, stores } = await loaded();
    stores.setup.getState().setField('stationId', '');

    const outcome = await stores.setup.getState().save();

    expect(outcome).toBe('invalid');
    expect(station.callsTo('setupSave')).toEqual([]);
    expect(shownMessage(stores, 'stationId')).toBe('Enter a station id, for example LINE1-ST3.');
  });

  it('sends the setup without empty secrets', async () => {
    const { station, stores } = await loaded(makeSetup({ server: { mode: 'online', url: 'http://127.0.0.1:8080', auth: 'password', username: 'tenant@example.com', secretSaved: true, mqttPort: 1884, mqttsPort: 8884 } }));
    stores.setup.getState().setField('portMatches', '10c4:ea60\n\n');

    const outcome = await stores.setup.getState().save();

    expect(outcome).toBe('saved');
    expect(station.callsTo('setupSave')).toEqual([
      [
        {
          stationId: 'LINE1-ST3',
          mode: 'provision',
          server: { mode: 'online', url: 'http://127.0.0.1:8080', auth: 'password', username: 'tenant@example.com', mqttPort: '1884', mqttsPort: '8884' },
          deviceProfile: null,
          credentialType: 'token',
          x509Mode: 'ca-key',
          keyAlgorithm: 'ec-p256',
          naming: { mode: 'rule', rule: '{model}-{hardwareId}' },
          ports: { paths: ['/dev/ttyUSB0'], matches: ['10c4:ea60'], patterns: [] },
        },
      ],
    ]);
    expect(stores.setup.getState().justSaved).toBe(true);
    expect(stores.setup.getState().dirty).toBe(false);
  });

  it('sends a new PIN and then forgets it', async () => {
    const { station, stores } = await loaded(FIRST_RUN);
    stores.setup.getState().setField('portPaths', '/dev/ttyACM0');
    stores.setup.getState().setField('newPin', '1357');
    stores.setup.getState().setField('newPinRepeat', '1357');

    expect(await stores.setup.getState().save()).toBe('saved');

    const sent = station.callsTo('setupSave')[0]?.[0] as { newPin?: string };
    expect(sent.newPin).toBe('1357');
    expect(stores.setup.getState().saved?.configured).toBe(true);
    expect(stores.setup.getState().saved?.pinSet).toBe(true);
    expect(stores.setup.getState().form?.newPin).toBe('');
  });

  it('shows the station field messages until edited', async () => {
    const { station, stores } = await loaded();
    station.saveFieldErrors = { stationId: 'Another station already uses this id.' };

    expect(await stores.setup.getState().save()).toBe('invalid');
    expect(shownMessage(stores, 'stationId')).toBe('Another station already uses this id.');

    stores.setup.getState().setField('stationId', 'LINE1-ST4');
    expect(shownMessage(stores, 'stationId')).toBeUndefined();
  });

  it('asks for the PIN when saving is locked', async () => {
    const { station, stores } = await loaded(makeSetup({ pinSet: true }));

    expect(await stores.setup.getState().save()).toBe('locked');

    expect(station.callsTo('setupSave')).toHaveLength(1);
    expect(stores.supervisor.getState().lockedBySave).toBe(true);
    expect(stores.alerts.getState().alerts).toEqual([]);
  });

  it('knows the locked message without its code', async () => {
    // Electron's context bridge passes only the message of an error thrown in the preload.
    const { station, stores } = await loaded();
    station.failNext('setupSave', new Error(describeReason('settings-locked')));

    expect(await stores.setup.getState().save()).toBe('locked');
    expect(stores.supervisor.getState().lockedBySave).toBe(true);
  });

  it('alerts on any other failure', async () => {
    const { station, stores } = await loaded();
    station.failNext('setupSave', new Error('The station database failed. Check the disk, then restart the station.'));

    expect(await stores.setup.getState().save()).toBe('failed');
    expect(stores.alerts.getState().alerts.map((alert) => alert.text)).toEqual(['The station database failed. Check the disk, then restart the station.']);
    expect(stores.setup.getState().saving).toBe(false);
  });

  it('marks a failed setup load', async () => {
    const station = new FakeStation();
    station.failNext('setupGet', new Error('The station database failed. Check the disk, then restart the station.'));
    const stores = createStores(station);

    await stores.setup.getState().load();

    expect(stores.setup.getState().status).toBe('failed');
    expect(stores.alerts.getState().alerts).toHaveLength(1);
  });
});

describe('setup store profiles', () => {
  it('asks for an address before loading profiles', async () => {
    const { station, stores } = await loaded();
    stores.setup.getState().setField('serverMode', 'online');

    await stores.setup.getState().loadProfiles();

    expect(station.callsTo('serverProfiles')).toEqual([]);
    expect(stores.setup.getState().profilesNote).toBe('Enter the server address first.');
  });

  it('loads profiles with the saved secret', async () => {
    const { station, stores } = await loaded(makeSetup({ server: { mode: 'online', url: 'http://127.0.0.1:8080', auth: 'password', username: 'tenant@example.com', secretSaved: true, mqttPort: 1883, mqttsPort: 8883 } }));

    await stores.setup.getState().loadProfiles();

    expect(station.callsTo('serverProfiles')).toEqual([[{ url: 'http://127.0.0.1:8080', auth: 'password', username: 'tenant@example.com' }]]);
    expect(stores.setup.getState().profiles).toEqual(['default', 'thermostat']);
  });

  it('loads profiles with a typed API key', async () => {
    const { station, stores } = await loaded();
    stores.setup.getState().setField('serverMode', 'online');
    stores.setup.getState().setField('serverUrl', 'https://tb.example.com');
    stores.setup.getState().setField('auth', 'api-key');
    stores.setup.getState().setField('apiKey', 'key-value');

    await stores.setup.getState().loadProfiles();

    expect(station.callsTo('serverProfiles')).toEqual([[{ url: 'https://tb.example.com', auth: 'api-key', apiKey: 'key-value' }]]);
  });
});
