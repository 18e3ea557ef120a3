// Sentences for a scanned serial number: where an accepted one goes, and the likely cause of a
// rejected one, so the technician fixes the scanner or the keyboard layout instead of typing.
import { UI_STRINGS } from '../../../../shared/messages';
import type { ScanHint } from '../../../../shared/scan';

const STRINGS = UI_STRINGS.scan;

/** Returns the sentence for a rejected scan; `pattern` is the setup's serial number pattern. */
export function describeScanHint(hint: ScanHint, pattern: string): string {
  return hint === 'pattern' ? STRINGS.hints.pattern(pattern) : STRINGS.hints[hint];
}

export function describeAcceptedScan(serial: string, port: string | null): string {
  return STRINGS.accepted(serial, port);
}

export function describeRejectedScan(serial: string, hint: ScanHint, pattern: string): string {
  return STRINGS.rejected(serial, describeScanHint(hint, pattern));
}
