// The server part of the setup: ThingsBoard or offline, the sign-in, and the device profile.
import { UI_STRINGS } from '../../../../shared/messages';
import { useFeature } from '../../app/context';
import { hasSavedSecret } from './form';
import { ChoiceField, TextField } from './fields';

const STRINGS = UI_STRINGS.setup;

export function ServerSection() {
  const serverMode = useFeature('setup', (state) => state.form?.serverMode);
  // Only provisioning creates devices, so a QA station has no use for a device profile.
  const provisioning = useFeature('setup', (state) => state.form?.mode !== 'qa');
  const auth = useFeature('setup', (state) => state.form?.auth ?? 'password');
  const secretSaved = useFeature('setup', (state) => hasSavedSecret(state.saved, auth));
  const secretHelp = secretSaved ? <span data-testid="setup-secret-saved">{STRINGS.secretSaved}</span> : undefined;

  return (
    <section className="form-section" aria-labelledby="setup-server-heading">
      <h3 id="setup-server-heading">{STRINGS.server}</h3>
      <ChoiceField
        field="serverMode"
        label={STRINGS.serverMode}
        testId="setup-server-mode"
        as="radio"
        options={[
          ['online', STRINGS.serverOnline],
          ['offline', STRINGS.serverOffline],
        ]}
      />
      {serverMode === 'offline' && (
        <>
          <p className="field-help">{STRINGS.serverOfflineHelp}</p>
          <TextField field="deviceHost" label={STRINGS.deviceHost} testId="setup-device-host" maxLength={255} help={STRINGS.deviceHostHelp} />
          <MqttPortFields />
        </>
      )}
      {serverMode === 'online' && (
        <>
          <TextField field="serverUrl" label={STRINGS.serverUrl} testId="setup-server-url" type="url" inputMode="url" />
          <ChoiceField
            field="auth"
            label={STRINGS.signIn}
            testId="setup-auth"
            as="radio"
            options={[
              ['password', STRINGS.authPassword],
              ['api-key', STRINGS.authApiKey],
            ]}
          />
          {auth === 'password' ? (
            <div className="field-row">
              <TextField field="username" label={STRINGS.username} testId="setup-username" autoComplete="username" maxLength={255} />
              <TextField field="password" label={STRINGS.password} testId="setup-password" type="password" autoComplete="new-password" maxLength={1024} help={secretHelp} />
            </div>
          ) : (
            <TextField field="apiKey" label={STRINGS.apiKey} testId="setup-api-key" type="password" autoComplete="new-password" maxLength={1024} help={secretHelp} />
          )}
          <MqttPortFields />
        </>
      )}
      {provisioning && <ProfileField online={serverMode === 'online'} />}
    </section>
  );
}

/** Shows the server's MQTT ports, which devices are given beside its host. */
function MqttPortFields() {
  return (
    <div className="field-row">
      <TextField field="mqttPort" label={STRINGS.mqttPort} testId="setup-mqtt-port" inputMode="numeric" maxLength={5} help={STRINGS.mqttPortHelp} />
      <TextField field="mqttsPort" label={STRINGS.mqttsPort} testId="setup-mqtts-port" inputMode="numeric" maxLength={5} help={STRINGS.mqttsPortHelp} />
    </div>
  );
}

/** Shows the device profile as free text, with a list to pick from once the server's profiles are loaded. */
function ProfileField({ online }: { online: boolean }) {
  const profiles = useFeature('setup', (state) => state.profiles);
  const loading = useFeature('setup', (state) => state.loadingProfiles);
  const note = useFeature('setup', (state) => state.profilesNote);
  const current = useFeature('setup', (state) => state.form?.deviceProfile ?? '');
  const setField = useFeature('setup', (state) => state.setField);
  const loadProfiles = useFeature('setup', (state) => state.loadProfiles);

  const status = note ?? (profiles === undefined ? null : STRINGS.profilesLoaded(profiles.length));
  const listed = profiles !== undefined && (current === '' || profiles.includes(current));

  return (
    <div className="profile-field">
      <TextField field="deviceProfile" label={STRINGS.deviceProfile} testId="setup-device-profile" help={STRINGS.deviceProfileHelp} maxLength={255} />
      {online && profiles !== undefined && profiles.length > 0 && (
        <div className="field">
          <label htmlFor="setup-profile-select">{STRINGS.deviceProfilePick}</label>
          <select
            id="setup-profile-select"
            data-testid="setup-device-profile-select"
            value={listed ? current : ''}
            onChange={(event) => setField('deviceProfile', event.target.value)}
          >
            <option value="">{STRINGS.deviceProfileDefault}</option>
            {profiles.map((profile) => (
              <option key={profile} value={profile}>
                {profile}
              </option>
            ))}
          </select>
        </div>
      )}
      {online && (
        <div className="field-actions">
          <button type="button" data-testid="setup-load-profiles" disabled={loading} onClick={() => void loadProfiles()}>
            {loading ? STRINGS.loadingProfiles : STRINGS.loadProfiles}
          </button>
          {status !== null && (
            <span className="field-help" role="status" data-testid="setup-profiles-status">
              {status}
            </span>
          )}
        </div>
      )}
    </div>
  );
}
