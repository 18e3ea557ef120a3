// The scan input. A barcode scanner is a keyboard that types the serial number and presses
// Enter, so the input keeps the focus on this screen. It gives the focus up only to another
// input the user clicked, and takes it back when a printable key is typed anywhere else.
import { useEffect, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import { UI_STRINGS } from '../../../../shared/messages';
import { useFeature } from '../../app/context';

const STRINGS = UI_STRINGS.scan;

/** Elements that take typing themselves, so a click on one keeps its focus. */
const TYPING_TARGETS = 'input, textarea, select, [contenteditable=""], [contenteditable="true"]';

export function ScanBox({ pattern }: { pattern: string }) {
  const [value, setValue] = useState('');
  const inputRef = useRef<HTMLInputElement>(null);
  const submitScan = useFeature('provision', (state) => state.submitScan);
  const message = useFeature('provision', (state) => state.scanMessage);

  useEffect(() => {
    const refocus = (event: Event): void => {
      const target = event.target;
      if (target instanceof Element && target.closest(TYPING_TARGETS) !== null) {
        return;
      }
      if (event instanceof KeyboardEvent && !isPrintable(event)) {
        return;
      }
      // A printable key moves the focus before its character is typed, so a scan that starts
      // while a button has the focus still lands in the input.
      inputRef.current?.focus();
    };
    document.addEventListener('click', refocus);
    document.addEventListener('keydown', refocus, { capture: true });
    return () => {
      document.removeEventListener('click', refocus);
      document.removeEventListener('keydown', refocus, { capture: true });
    };
  }, []);

  const onKeyDown = (event: ReactKeyboardEvent<HTMLInputElement>): void => {
    if (event.key !== 'Enter') {
      return;
    }
    event.preventDefault();
    const scanned = value;
    setValue('');
    void submitScan(scanned, pattern);
  };

  return (
    <div className="scan-box">
      <label htmlFor="scan-input">{STRINGS.label}</label>
      <input
        id="scan-input"
        ref={inputRef}
        data-testid="scan-input"
        className="scan-input"
        autoComplete="off"
        spellCheck={false}
        maxLength={256}
        // A scanner types into whatever has the focus, so this input takes it when the screen opens.
        autoFocus
        value={value}
        aria-describedby="scan-help scan-message"
        onChange={(event) => setValue(event.target.value)}
        onKeyDown={onKeyDown}
      />
      <p className="field-help" id="scan-help">
        {STRINGS.help}
      </p>
      <p
        id="scan-message"
        className={message === null ? 'scan-message' : `scan-message scan-${message.tone}`}
        data-testid="scan-message"
        data-tone={message?.tone ?? ''}
        role="status"
      >
        {message !== null && (
          <span aria-hidden="true">{message.tone === 'accepted' ? '✔ ' : '✘ '}</span>
        )}
        {message?.text}
      </p>
    </div>
  );
}

function isPrintable(event: KeyboardEvent): boolean {
  return event.key.length === 1 && !event.ctrlKey && !event.altKey && !event.metaKey;
}
