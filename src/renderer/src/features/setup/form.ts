// The setup form's draft: what the inputs hold, how it becomes the setup input that
// validateSetup and setupSave take, and the checks that need the saved setup to decide.
import type { ServerProfilesArgument, SetupInputArgument } from '../../../../shared/api';
import { UI_STRINGS } from '../../../../shared/messages';
import type { FieldErrors, SetupInput, StationSetup } from '../../../../shared/setup';
import { validateSetup } from '../../../../shared/setup';

const STRINGS = UI_STRINGS.setup;

/** Every input of the form as the user typed it; the port lists are one entry per line. */
export interface SetupForm {
  stationId: string;
  mode: StationSetup['mode'];
  serverMode: 'online' | 'offline';
  serverUrl: string;
  auth: 'password' | 'api-key';
  username: string;
  /** Empty keeps the saved secret. */
  password: string;
  apiKey: string;
  /** The MQTT ports written to devices; empty takes ThingsBoard's default. */
  mqttPort: string;
  mqttsPort: string;
  /** Offline only: the server host written to devices; empty writes none. */
  deviceHost: string;
  deviceProfile: string;
  credentialType: SetupInput['credentialType'];
  x509Mode: SetupInput['x509Mode'];
  keyAlgorithm: SetupInput['keyAlgorithm'];
  namingMode: SetupInput['naming']['mode'];
  rule: string;
  pattern: string;
  portPaths: string;
  portMatches: string;
  portPatterns: string;
  newPin: string;
  newPinRepeat: string;
}

/** The rule and pattern a fresh station starts with; the station's own defaults win when given. */
const DEFAULT_RULE = '{model}-{hardwareId}';
const DEFAULT_PATTERN = '^SN[0-9]{8}$';

/** Fills the form from a saved setup. Secrets and the PIN start empty, since they are never sent back. */
export function formFromSetup(setup: StationSetup): SetupForm {
  const online = setup.server.mode === 'online' ? setup.server : undefined;
  return {
    stationId: setup.stationId,
    mode: setup.mode,
    serverMode: setup.server.mode,
    serverUrl: online?.url ?? '',
    auth: online?.auth ?? 'password',
    username: online?.username ?? '',
    password: '',
    apiKey: '',
    mqttPort: String(setup.server.mqttPort ?? 1883),
    mqttsPort: String(setup.server.mqttsPort ?? 8883),
    deviceHost: setup.server.mode === 'offline' ? (setup.server.deviceHost ?? '') : '',
    deviceProfile: setup.deviceProfile ?? '',
    credentialType: setup.credentialType,
    x509Mode: setup.x509Mode,
    keyAlgorithm: setup.keyAlgorithm,
    namingMode: setup.naming.mode,
    rule: setup.naming.mode === 'rule' ? setup.naming.rule : DEFAULT_RULE,
    pattern: setup.naming.mode === 'scan' ? setup.naming.pattern : DEFAULT_PATTERN,
    portPaths: setup.ports.paths.join('\n'),
    portMatches: setup.ports.matches.join('\n'),
    portPatterns: setup.ports.patterns.join('\n'),
    newPin: '',
    newPinRepeat: '',
  };
}

/** Builds the setupSave argument. Empty secrets and an empty PIN are left out, which keeps the saved ones. */
export function setupInputFromForm(form: SetupForm): SetupInputArgument {
  const input: SetupInputArgument = {
    stationId: form.stationId,
    mode: form.mode,
    server: form.serverMode === 'offline' ? offlineServer(form) : onlineServer(form),
    deviceProfile: form.deviceProfile.trim() === '' ? null : form.deviceProfile,
    credentialType: form.credentialType,
    x509Mode: form.x509Mode,
    keyAlgorithm: form.keyAlgorithm,
    naming: form.namingMode === 'rule' ? { mode: 'rule', rule: form.rule } : { mode: 'scan', pattern: form.pattern },
    ports: { paths: lines(form.portPaths), matches: lines(form.portMatches), patterns: lines(form.portPatterns) },
  };
  if (form.newPin !== '') {
    input.newPin = form.newPin;
  }
  return input;
}

type OnlineServer = Extract<SetupInputArgument['server'], { mode: 'online' }>;
type OfflineServer = Extract<SetupInputArgument['server'], { mode: 'offline' }>;

function offlineServer(form: SetupForm): OfflineServer {
  if (form.deviceHost.trim() === '') {
    return { mode: 'offline' };
  }
  return { mode: 'offline', deviceHost: form.deviceHost.trim(), mqttPort: form.mqttPort.trim(), mqttsPort: form.mqttsPort.trim() };
}

function onlineServer(form: SetupForm): OnlineServer {
  const server: OnlineServer = { mode: 'online', url: form.serverUrl, auth: form.auth };
  if (form.mqttPort.trim() !== '') {
    server.mqttPort = form.mqttPort.trim();
  }
  if (form.mqttsPort.trim() !== '') {
    server.mqttsPort = form.mqttsPort.trim();
  }
  if (form.auth === 'password') {
    server.username = form.username;
    if (form.password !== '') {
      server.password = form.password;
    }
  } else if (form.apiKey !== '') {
    server.apiKey = form.apiKey;
  }
  return server;
}

/** Builds the serverProfiles argument, or returns undefined while the address is empty. */
export function profilesRequestFromForm(form: SetupForm): ServerProfilesArgument | undefined {
  if (form.serverMode !== 'online' || form.serverUrl.trim() === '') {
    return undefined;
  }
  const { mode: _mode, mqttPort: _mqttPort, mqttsPort: _mqttsPort, ...server } = onlineServer(form);
  return server;
}

/** Splits a text area into its non-empty lines, trimmed. */
export function lines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/**
 * Checks the form with validateSetup, plus what only the renderer can tell: a first run needs a
 * PIN, the PIN is typed twice, and signing in needs a secret unless one of the same kind is saved.
 */
export function checkForm(form: SetupForm, saved: StationSetup | undefined): FieldErrors {
  const errors = validateSetup(setupInputFromForm(form));

  if (saved?.configured !== true && form.newPin === '') {
    errors.newPin ??= STRINGS.pinRequired;
  }
  if (form.newPin !== form.newPinRepeat && errors.newPin === undefined) {
    errors.newPinRepeat = STRINGS.pinMismatch;
  }

  if (form.serverMode === 'online' && !hasSavedSecret(saved, form.auth)) {
    if (form.auth === 'password' && form.password === '') {
      errors['server.password'] ??= STRINGS.passwordRequired;
    }
    if (form.auth === 'api-key' && form.apiKey === '') {
      errors['server.apiKey'] ??= STRINGS.apiKeyRequired;
    }
  }
  return errors;
}

/** Tells whether the station has a secret saved for this way of signing in, so an empty input keeps it. */
export function hasSavedSecret(saved: StationSetup | undefined, auth: SetupForm['auth']): boolean {
  return saved?.server.mode === 'online' && saved.server.secretSaved && saved.server.auth === auth;
}

/**
 * Returns the error paths the form shows next to a field. Messages on other paths go to the list
 * above the form, such as one on a provisioning field that a QA station hides.
 */
export function fieldPaths(form: SetupForm): string[] {
  const paths = ['stationId', 'mode', 'server', 'ports', 'ports.paths', 'ports.matches', 'ports.patterns', 'newPin', 'newPinRepeat'];
  if (form.serverMode === 'offline') {
    paths.push('server.deviceHost', 'server.mqttPort', 'server.mqttsPort');
  }
  if (form.serverMode === 'online') {
    paths.push('server.url', 'server.auth', 'server.mqttPort', 'server.mqttsPort', form.auth === 'password' ? 'server.username' : 'server.apiKey');
    if (form.auth === 'password') {
      paths.push('server.password');
    }
  }
  if (form.mode === 'qa') {
    return paths;
  }

  paths.push('deviceProfile', 'credentialType', 'naming', 'naming.mode');
  if (form.credentialType === 'x509') {
    paths.push('x509Mode', 'keyAlgorithm');
  }
  paths.push(form.namingMode === 'rule' ? 'naming.rule' : 'naming.pattern');
  return paths;
}

/** Returns the errors that no visible field shows, so the form can list them instead of hiding them. */
export function unplacedErrors(errors: FieldErrors, form: SetupForm): string[] {
  const placed = fieldPaths(form);
  return Object.entries(errors)
    .filter(([key]) => !placed.some((path) => key === path || isItemOf(key, path)))
    .map(([, message]) => message);
}

function isItemOf(key: string, path: string): boolean {
  return key.startsWith(`${path}.`) && /^[0-9]+$/.test(key.slice(path.length + 1));
}

/**
 * Returns the message for one field: its own, or those of its items such as ports.matches.1,
 * each with its line number. Undefined when the field is valid.
 */
export function fieldMessage(errors: FieldErrors, path: string): string | undefined {
  const messages: string[] = [];
  const own = errors[path];
  if (own !== undefined) {
    messages.push(own);
  }
  for (const [key, message] of Object.entries(errors)) {
    if (isItemOf(key, path)) {
      messages.push(STRINGS.line(Number(key.slice(path.length + 1)) + 1, message));
    }
  }
  return messages.length === 0 ? undefined : messages.join(' ');
}
