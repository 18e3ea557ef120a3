// The setup store: the saved setup, the form's draft with its field messages, and saving it.
// First run and Settings share it, so a draft survives a trip to the PIN prompt.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { StationApi } from '../../../../shared/api';
import { UI_STRINGS } from '../../../../shared/messages';
import type { FieldErrors, StationSetup } from '../../../../shared/setup';
import { isSettingsLocked } from '../../app/errors';
import type { ReportError } from '../alerts/store';
import { checkForm, formFromSetup, profilesRequestFromForm, setupInputFromForm, type SetupForm } from './form';

/** The error path each input's messages use, so touching or editing an input finds its messages. */
export const FIELD_PATHS: Record<keyof SetupForm, string> = {
  stationId: 'stationId',
  mode: 'mode',
  serverMode: 'server',
  serverUrl: 'server.url',
  auth: 'server.auth',
  username: 'server.username',
  password: 'server.password',
  apiKey: 'server.apiKey',
  mqttPort: 'server.mqttPort',
  mqttsPort: 'server.mqttsPort',
  deviceHost: 'server.deviceHost',
  deviceProfile: 'deviceProfile',
  credentialType: 'credentialType',
  x509Mode: 'x509Mode',
  keyAlgorithm: 'keyAlgorithm',
  namingMode: 'naming',
  rule: 'naming.rule',
  pattern: 'naming.pattern',
  portPaths: 'ports.paths',
  portMatches: 'ports.matches',
  portPatterns: 'ports.patterns',
  newPin: 'newPin',
  newPinRepeat: 'newPinRepeat',
};

export type SaveOutcome = 'saved' | 'invalid' | 'locked' | 'failed';

export interface SetupState {
  saved: StationSetup | undefined;
  status: 'loading' | 'loaded' | 'failed';
  /** Undefined until the saved setup arrived. */
  form: SetupForm | undefined;
  /** True once the user changed the draft, so a 'setup' event does not overwrite it. */
  dirty: boolean;
  /** The draft's messages from validateSetup and the form's own checks, shown once a field was touched. */
  clientErrors: FieldErrors;
  /** setupSave's messages, shown until the user edits that field. */
  serverErrors: FieldErrors;
  /** Error paths of the fields the user left or changed after leaving them. */
  touched: Record<string, true>;
  /** True after a save attempt: every message shows, touched or not. */
  submitted: boolean;
  saving: boolean;
  justSaved: boolean;
  profiles: string[] | undefined;
  loadingProfiles: boolean;
  /** The reason the profiles were not requested, such as a missing address. */
  profilesNote: string | null;

  load: () => Promise<void>;
  applySaved: (setup: StationSetup) => void;
  setField: <K extends keyof SetupForm>(key: K, value: SetupForm[K]) => void;
  touch: (key: keyof SetupForm) => void;
  save: () => Promise<SaveOutcome>;
  loadProfiles: () => Promise<void>;
  /** Drops the draft and starts again from the saved setup. */
  discard: () => void;
}

export interface SetupStoreOptions {
  api: StationApi;
  report: ReportError;
  /** Called when setupSave was rejected because the settings are locked. */
  onLocked: () => void;
}

export function createSetupStore({ api, report, onLocked }: SetupStoreOptions): StoreApi<SetupState> {
  return createStore<SetupState>((set, get) => ({
    saved: undefined,
    status: 'loading',
    form: undefined,
    dirty: false,
    clientErrors: {},
    serverErrors: {},
    touched: {},
    submitted: false,
    saving: false,
    justSaved: false,
    profiles: undefined,
    loadingProfiles: false,
    profilesNote: null,

    async load() {
      set({ status: 'loading' });
      try {
        const setup = await api.setupGet();
        get().applySaved(setup);
        set({ status: 'loaded' });
      } catch (error) {
        set({ status: 'failed' });
        report(error);
      }
    },

    applySaved(setup) {
      const { dirty, form } = get();
      const next = dirty && form !== undefined ? form : formFromSetup(setup);
      set({ saved: setup, form: next, clientErrors: checkForm(next, setup), status: 'loaded' });
    },

    setField(key, value) {
      const { form, saved, serverErrors } = get();
      if (form === undefined) {
        return;
      }
      const next = { ...form, [key]: value };
      set({
        form: next,
        dirty: true,
        justSaved: false,
        clientErrors: checkForm(next, saved),
        serverErrors: withoutPaths(serverErrors, pathsOf(key)),
      });
    },

    touch(key) {
      const paths = pathsOf(key);
      set((state) => ({ touched: { ...state.touched, ...Object.fromEntries(paths.map((path) => [path, true as const])) } }));
    },

    async save() {
      const { form, saved } = get();
      if (form === undefined) {
        return 'failed';
      }
      const clientErrors = checkForm(form, saved);
      set({ submitted: true, clientErrors, justSaved: false });
      if (Object.keys(clientErrors).length > 0) {
        return 'invalid';
      }

      set({ saving: true });
      try {
        const result = await api.setupSave(setupInputFromForm(form));
        if (!result.ok) {
          set({ serverErrors: result.fieldErrors });
          return 'invalid';
        }
        const fresh = formFromSetup(result.setup);
        set({ saved: result.setup, form: fresh, dirty: false, clientErrors: checkForm(fresh, result.setup), serverErrors: {}, touched: {}, submitted: false, justSaved: true });
        return 'saved';
      } catch (error) {
        if (isSettingsLocked(error)) {
          onLocked();
          return 'locked';
        }
        report(error);
        return 'failed';
      } finally {
        set({ saving: false });
      }
    },

    async loadProfiles() {
      const { form } = get();
      const request = form === undefined ? undefined : profilesRequestFromForm(form);
      if (request === undefined) {
        set({ profilesNote: UI_STRINGS.setup.profilesNeedUrl });
        return;
      }
      set({ loadingProfiles: true, profilesNote: null });
      try {
        set({ profiles: await api.serverProfiles(request) });
      } catch (error) {
        report(error);
      } finally {
        set({ loadingProfiles: false });
      }
    },

    discard() {
      const { saved } = get();
      if (saved === undefined) {
        return;
      }
      const fresh = formFromSetup(saved);
      set({ form: fresh, dirty: false, clientErrors: checkForm(fresh, saved), serverErrors: {}, touched: {}, submitted: false, justSaved: false });
    },
  }));
}

/** Returns the messages a field should show now: the draft's once touched or submitted, and setupSave's. */
export function visibleErrors(state: Pick<SetupState, 'clientErrors' | 'serverErrors' | 'touched' | 'submitted'>): FieldErrors {
  const shown: FieldErrors = {};
  for (const [path, message] of Object.entries(state.clientErrors)) {
    if (state.submitted || state.touched[fieldOf(path)] === true) {
      shown[path] = message;
    }
  }
  return { ...shown, ...state.serverErrors };
}

/** Maps an item's path such as ports.matches.2 to its field's path. */
function fieldOf(path: string): string {
  return path.replace(/\.[0-9]+$/, '');
}

/** Returns the error paths of an input's messages. Each port list also shows "give at least one port". */
function pathsOf(key: keyof SetupForm): string[] {
  const path = FIELD_PATHS[key];
  return path.startsWith('ports.') ? [path, 'ports'] : [path];
}

function withoutPaths(errors: FieldErrors, paths: string[]): FieldErrors {
  return Object.fromEntries(Object.entries(errors).filter(([key]) => !paths.includes(fieldOf(key))));
}
