// The supervisor PIN prompt, shown in place of the settings while they are locked.
import { useRef, useState, type FormEvent } from 'react';
import { UI_STRINGS } from '../../../../shared/messages';
import { useFeature } from '../../app/context';
import { LockIcon } from '../../app/icons';

const STRINGS = UI_STRINGS.settings;

export function PinPrompt() {
  const [pin, setPin] = useState('');
  const inputRef = useRef<HTMLInputElement>(null);
  const unlock = useFeature('supervisor', (state) => state.unlock);
  const checking = useFeature('supervisor', (state) => state.checking);
  const pinError = useFeature('supervisor', (state) => state.pinError);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (!(await unlock(pin))) {
      setPin('');
      inputRef.current?.focus();
    }
  };

  return (
    <form className="pin-prompt" onSubmit={(event) => void submit(event)} data-testid="settings-unlock">
      <p>
        <LockIcon /> {STRINGS.locked}
      </p>
      <label htmlFor="settings-unlock-pin">{STRINGS.pinLabel}</label>
      <input
        id="settings-unlock-pin"
        ref={inputRef}
        data-testid="settings-unlock-pin"
        type="password"
        inputMode="numeric"
        autoComplete="off"
        maxLength={12}
        autoFocus
        value={pin}
        aria-invalid={pinError === null ? undefined : true}
        aria-describedby={pinError === null ? undefined : 'settings-unlock-error'}
        onChange={(event) => setPin(event.target.value)}
      />
      <button type="submit" className="primary" data-testid="settings-unlock-submit" disabled={checking || pin === ''}>
        {STRINGS.unlock}
      </button>
      {pinError !== null && (
        <p className="field-error" id="settings-unlock-error" role="alert" data-testid="settings-unlock-error">
          <span aria-hidden="true">✗ </span>
          {pinError}
        </p>
      )}
    </form>
  );
}
