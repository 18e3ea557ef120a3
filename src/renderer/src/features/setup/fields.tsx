// The setup form's inputs. Each reads and writes one key of the draft, shows its message next to
// it and points aria-describedby at that message and at its help text.
import type { ReactNode } from 'react';
import { useFeature } from '../../app/context';
import { fieldMessage, type SetupForm } from './form';
import { FIELD_PATHS, visibleErrors } from './store';

/** Keys of the draft that contain free text. */
export type TextKey = { [K in keyof SetupForm]: string extends SetupForm[K] ? K : never }[keyof SetupForm];
/** Keys of the draft that contain one of a few values. */
export type ChoiceKey = Exclude<keyof SetupForm, TextKey>;

/** Returns the test id and element id of a field's message: field-error- and the path with dashes. */
export function errorElementId(path: string): string {
  return `field-error-${path.replaceAll('.', '-')}`;
}

function useFieldMessage(key: keyof SetupForm): string | undefined {
  return useFeature('setup', (state) => fieldMessage(visibleErrors(state), FIELD_PATHS[key]));
}

export function FieldError({ path, message }: { path: string; message: string | undefined }) {
  if (message === undefined) {
    return <p className="field-error-slot" aria-hidden="true" />;
  }
  const id = errorElementId(path);
  return (
    <p className="field-error" id={id} data-testid={id}>
      <span aria-hidden="true">✗ </span>
      {message}
    </p>
  );
}

function describedBy(...ids: (string | undefined)[]): string | undefined {
  const present = ids.filter((id) => id !== undefined);
  return present.length === 0 ? undefined : present.join(' ');
}

interface TextFieldProps {
  field: TextKey;
  label: string;
  testId: string;
  help?: ReactNode;
  type?: 'text' | 'password' | 'url';
  multiline?: boolean;
  inputMode?: 'numeric' | 'text' | 'url';
  autoComplete?: string;
  maxLength?: number;
  /** Id of a message about a group of fields, such as "give at least one port". */
  describedBy?: string;
}

export function TextField({ field, label, testId, help, type = 'text', multiline = false, inputMode, autoComplete = 'off', maxLength, describedBy: groupId }: TextFieldProps) {
  const value = useFeature('setup', (state) => state.form?.[field] ?? '');
  const setField = useFeature('setup', (state) => state.setField);
  const touch = useFeature('setup', (state) => state.touch);
  const message = useFieldMessage(field);

  const path = FIELD_PATHS[field];
  const inputId = `setup-input-${field}`;
  const helpId = help === undefined ? undefined : `${inputId}-help`;
  const errorId = message === undefined ? undefined : errorElementId(path);
  const shared = {
    id: inputId,
    'data-testid': testId,
    value,
    onBlur: () => touch(field),
    'aria-invalid': message === undefined ? undefined : true,
    'aria-describedby': describedBy(errorId, groupId, helpId),
    autoComplete,
    spellCheck: false,
    maxLength,
  };

  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      {multiline ? (
        <textarea {...shared} rows={3} onChange={(event) => setField(field, event.target.value)} />
      ) : (
        <input {...shared} type={type} inputMode={inputMode} onChange={(event) => setField(field, event.target.value)} />
      )}
      {help !== undefined && (
        <p className="field-help" id={helpId}>
          {help}
        </p>
      )}
      <FieldError path={path} message={message} />
    </div>
  );
}

interface ChoiceFieldProps<K extends ChoiceKey> {
  field: K;
  label: string;
  /** Test ids read `${testId}-${value}` for radios and `testId` for a select. */
  testId: string;
  options: readonly (readonly [SetupForm[K], string])[];
  /** Radios suit two or three short options, and a select suits longer lists. */
  as: 'radio' | 'select';
}

export function ChoiceField<K extends ChoiceKey>({ field, label, testId, options, as }: ChoiceFieldProps<K>) {
  const value = useFeature('setup', (state) => state.form?.[field]);
  const setField = useFeature('setup', (state) => state.setField);
  const touch = useFeature('setup', (state) => state.touch);
  const message = useFieldMessage(field);

  const path = FIELD_PATHS[field];
  const errorId = message === undefined ? undefined : errorElementId(path);
  const choose = (chosen: string): void => {
    const option = options.find(([each]) => each === chosen);
    if (option !== undefined) {
      setField(field, option[0]);
      touch(field);
    }
  };

  if (as === 'select') {
    const selectId = `setup-input-${field}`;
    return (
      <div className="field">
        <label htmlFor={selectId}>{label}</label>
        <select
          id={selectId}
          data-testid={testId}
          value={value}
          aria-invalid={message === undefined ? undefined : true}
          aria-describedby={errorId}
          onChange={(event) => choose(event.target.value)}
        >
          {options.map(([optionValue, optionLabel]) => (
            <option key={optionValue} value={optionValue}>
              {optionLabel}
            </option>
          ))}
        </select>
        <FieldError path={path} message={message} />
      </div>
    );
  }

  return (
    <fieldset className="field choice" aria-describedby={errorId}>
      <legend>{label}</legend>
      {options.map(([optionValue, optionLabel]) => (
        <label key={optionValue} className="choice-option">
          <input
            type="radio"
            name={`setup-${field}`}
            value={optionValue}
            data-testid={`${testId}-${optionValue}`}
            checked={value === optionValue}
            aria-invalid={message === undefined ? undefined : true}
            onChange={(event) => choose(event.target.value)}
          />
          {optionLabel}
        </label>
      ))}
      <FieldError path={path} message={message} />
    </fieldset>
  );
}
