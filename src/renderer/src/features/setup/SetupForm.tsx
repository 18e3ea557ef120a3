// The setup form, shared by the first-run screen and Settings.
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { UI_STRINGS } from '../../../../shared/messages';
import { STATION_MODES } from '../../../../shared/setup';
import { useFeature } from '../../app/context';
import { CredentialSection, NamingSection, PinSection, PortsSection } from './DeviceSections';
import { ChoiceField, TextField } from './fields';
import { unplacedErrors } from './form';
import { ServerSection } from './ServerSection';
import { visibleErrors } from './store';

const STRINGS = UI_STRINGS.setup;

export function SetupForm({ firstRun }: { firstRun: boolean }) {
  const formRef = useRef<HTMLFormElement>(null);
  // Counts rejected saves; each one moves the focus to the first field that needs a correction.
  const [invalidSaves, setInvalidSaves] = useState(0);

  const { form, clientErrors, serverErrors, touched, submitted, saving, justSaved, dirty } = useFeature(
    'setup',
    useShallow((state) => ({
      form: state.form,
      clientErrors: state.clientErrors,
      serverErrors: state.serverErrors,
      touched: state.touched,
      submitted: state.submitted,
      saving: state.saving,
      justSaved: state.justSaved,
      dirty: state.dirty,
    })),
  );
  const save = useFeature('setup', (state) => state.save);
  const discard = useFeature('setup', (state) => state.discard);

  const shown = useMemo(() => visibleErrors({ clientErrors, serverErrors, touched, submitted }), [clientErrors, serverErrors, touched, submitted]);
  const unplaced = useMemo(() => (form === undefined ? [] : unplacedErrors(shown, form)), [shown, form]);

  useEffect(() => {
    if (invalidSaves > 0) {
      formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
    }
  }, [invalidSaves]);

  if (form === undefined) {
    return null;
  }

  let saveLabel: string = firstRun ? STRINGS.saveFirstRun : STRINGS.save;
  if (saving) {
    saveLabel = STRINGS.saving;
  }

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if ((await save()) === 'invalid') {
      setInvalidSaves((count) => count + 1);
    }
  };

  return (
    <form className="setup-form" ref={formRef} noValidate onSubmit={(event) => void submit(event)} data-testid="setup-form">
      {submitted && Object.keys(shown).length > 0 && (
        <p className="form-invalid" role="status" data-testid="setup-invalid">
          {STRINGS.invalid}
        </p>
      )}
      {unplaced.length > 0 && (
        <div className="form-invalid" data-testid="setup-errors">
          <p>{STRINGS.otherErrors}</p>
          <ul>
            {unplaced.map((message) => (
              <li key={message}>{message}</li>
            ))}
          </ul>
        </div>
      )}

      <div className="form-columns">
        <div className="form-column">
          <section className="form-section" aria-labelledby="setup-station-heading">
            <h3 id="setup-station-heading">{STRINGS.station}</h3>
            <TextField field="stationId" label={STRINGS.stationId} testId="setup-station-id" help={STRINGS.stationIdHelp} maxLength={64} />
            <ChoiceField field="mode" label={STRINGS.stationMode} testId="setup-mode" as="radio" options={STATION_MODES.map((mode) => [mode, STRINGS.stationModes[mode]] as const)} />
            <p className="field-help">{STRINGS.stationModeHelp}</p>
          </section>
          <ServerSection />
          <PinSection firstRun={firstRun} />
        </div>
        <div className="form-column">
          {/* The draft keeps the hidden provisioning settings and saves them, so switching back restores them. */}
          {form.mode === 'qa' ? (
            <p className="form-note" data-testid="setup-qa-note">
              {STRINGS.qaUnused}
            </p>
          ) : (
            <>
              <CredentialSection />
              <NamingSection />
            </>
          )}
          <PortsSection />
        </div>
      </div>

      <div className="form-actions">
        <button type="submit" className="primary" data-testid="setup-save" disabled={saving}>
          {saveLabel}
        </button>
        {!firstRun && dirty && (
          <button type="button" data-testid="setup-discard" onClick={discard}>
            {STRINGS.discard}
          </button>
        )}
        {justSaved && (
          <span className="form-saved" role="status" data-testid="setup-saved">
            <span aria-hidden="true">✓ </span>
            {UI_STRINGS.settings.saved}
          </span>
        )}
      </div>
    </form>
  );
}
