// The parts of the setup about the units: credential kind, device names, serial ports.
import { UI_STRINGS } from '../../../../shared/messages';
import { KEY_ALGORITHMS, X509_MODES } from '../../../../shared/setup';
import { CREDENTIAL_TYPES } from '../../../../shared/domain';
import { useFeature } from '../../app/context';
import { visibleErrors } from './store';
import { ChoiceField, FieldError, TextField, errorElementId } from './fields';

const STRINGS = UI_STRINGS.setup;

export function CredentialSection() {
  const credentialType = useFeature('setup', (state) => state.form?.credentialType);

  return (
    <section className="form-section" aria-labelledby="setup-credential-heading">
      <h3 id="setup-credential-heading">{STRINGS.credential}</h3>
      <ChoiceField
        field="credentialType"
        label={STRINGS.credentialType}
        testId="setup-credential-type"
        as="select"
        options={CREDENTIAL_TYPES.map((type) => [type, STRINGS.credentialTypes[type]] as const)}
      />
      {credentialType === 'x509' && (
        <>
          <ChoiceField field="x509Mode" label={STRINGS.x509Mode} testId="setup-x509-mode" as="select" options={X509_MODES.map((mode) => [mode, STRINGS.x509Modes[mode]] as const)} />
          <ChoiceField
            field="keyAlgorithm"
            label={STRINGS.keyAlgorithm}
            testId="setup-key-algorithm"
            as="select"
            options={KEY_ALGORITHMS.map((algorithm) => [algorithm, STRINGS.keyAlgorithms[algorithm]] as const)}
          />
        </>
      )}
    </section>
  );
}

export function NamingSection() {
  const namingMode = useFeature('setup', (state) => state.form?.namingMode);

  return (
    <section className="form-section" aria-labelledby="setup-naming-heading">
      <h3 id="setup-naming-heading">{STRINGS.naming}</h3>
      <ChoiceField
        field="namingMode"
        label={STRINGS.namingMode}
        testId="setup-naming-mode"
        as="radio"
        options={[
          ['rule', STRINGS.namingRule],
          ['scan', STRINGS.namingScan],
        ]}
      />
      {namingMode === 'rule' ? (
        <TextField field="rule" label={STRINGS.rule} testId="setup-naming-rule" help={STRINGS.ruleHelp} maxLength={128} />
      ) : (
        <TextField field="pattern" label={STRINGS.pattern} testId="setup-naming-pattern" help={STRINGS.patternHelp} maxLength={256} />
      )}
    </section>
  );
}

export function PortsSection() {
  const portsMessage = useFeature('setup', (state) => visibleErrors(state).ports);
  const groupError = portsMessage === undefined ? undefined : errorElementId('ports');

  return (
    <section className="form-section" aria-labelledby="setup-ports-heading" aria-describedby="setup-ports-help">
      <h3 id="setup-ports-heading">{STRINGS.ports}</h3>
      <p className="field-help" id="setup-ports-help">
        {STRINGS.portsHelp}
      </p>
      <FieldError path="ports" message={portsMessage} />
      <div className="field-row field-row-3">
        <TextField field="portPaths" describedBy={groupError} label={STRINGS.portPaths} testId="setup-port-paths" help={STRINGS.portPathsHelp} multiline />
        <TextField field="portMatches" describedBy={groupError} label={STRINGS.portMatches} testId="setup-port-matches" help={STRINGS.portMatchesHelp} multiline />
        <TextField field="portPatterns" describedBy={groupError} label={STRINGS.portPatterns} testId="setup-port-patterns" help={STRINGS.portPatternsHelp} multiline />
      </div>
    </section>
  );
}

export function PinSection({ firstRun }: { firstRun: boolean }) {
  return (
    <section className="form-section" aria-labelledby="setup-pin-heading">
      <h3 id="setup-pin-heading">{STRINGS.supervisor}</h3>
      <div className="field-row">
        <TextField
          field="newPin"
          label={firstRun ? STRINGS.newPinFirstRun : STRINGS.newPin}
          testId="setup-new-pin"
          type="password"
          inputMode="numeric"
          autoComplete="new-password"
          maxLength={12}
          help={firstRun ? STRINGS.newPinFirstRunHelp : STRINGS.newPinHelp}
        />
        <TextField field="newPinRepeat" label={STRINGS.newPinRepeat} testId="setup-new-pin-repeat" type="password" inputMode="numeric" autoComplete="new-password" maxLength={12} />
      </div>
    </section>
  );
}
