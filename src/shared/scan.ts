// Checks a serial number that a barcode scanner typed. Scanners act as keyboards, so a scanner
// set up for one keyboard layout on a PC using another types the wrong characters. The hint
// names the likely cause, so the technician fixes the scanner or the layout instead of typing.

/** Characters a US-layout scanner produces for the digits 1 to 0 on a French AZERTY keyboard. */
const AZERTY_DIGIT_ROW = '&é"\'(-è_çà';
/** Characters for Shift plus the digits on a US keyboard, seen when Caps Lock or Shift is stuck. */
const SHIFTED_DIGIT_ROW = '!@#$%^&*()';

export type ScanCheck = { ok: true; serial: string } | { ok: false; hint: ScanHint };

/**
 * layout-azerty: digits came out as the AZERTY symbols. layout-qwertz: Y and Z look swapped.
 * shifted: digits came out shifted. case: letters have the wrong case. pattern: nothing explains it.
 * empty: nothing was scanned. taken: another unit already has this serial number (checked by main).
 */
export type ScanHint = 'empty' | 'layout-azerty' | 'layout-qwertz' | 'shifted' | 'case' | 'pattern' | 'taken';

/** Trims a scan and checks it against the whole of `pattern`; a mismatch gets the most likely cause. */
export function checkScannedSerial(raw: string, pattern: string): ScanCheck {
  const serial = raw.trim();
  if (serial === '') {
    return { ok: false, hint: 'empty' };
  }
  const matches = (candidate: string): boolean => wholeMatch(pattern).test(candidate);
  if (matches(serial)) {
    return { ok: true, serial };
  }
  if ([...serial].some((char) => AZERTY_DIGIT_ROW.includes(char)) && matches(translate(serial, AZERTY_DIGIT_ROW))) {
    return { ok: false, hint: 'layout-azerty' };
  }
  if ([...serial].some((char) => SHIFTED_DIGIT_ROW.includes(char)) && matches(translate(serial, SHIFTED_DIGIT_ROW))) {
    return { ok: false, hint: 'shifted' };
  }
  if (/[yzYZ]/.test(serial) && matches(swapYZ(serial))) {
    return { ok: false, hint: 'layout-qwertz' };
  }
  if (matches(serial.toUpperCase()) || matches(serial.toLowerCase()) || matches(invertCase(serial))) {
    return { ok: false, hint: 'case' };
  }
  return { ok: false, hint: 'pattern' };
}

/** Anchors the pattern at both ends; anchors already in it stay valid inside the group. */
function wholeMatch(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}

/** Maps each character of `row` back to the digit on its key: the first to 1, the last to 0. */
function translate(serial: string, row: string): string {
  return [...serial].map((char) => {
    const index = row.indexOf(char);
    return index === -1 ? char : String((index + 1) % 10);
  }).join('');
}

function swapYZ(serial: string): string {
  const swaps: Record<string, string> = { y: 'z', z: 'y', Y: 'Z', Z: 'Y' };
  return [...serial].map((char) => swaps[char] ?? char).join('');
}

function invertCase(serial: string): string {
  return [...serial].map((char) => (char === char.toUpperCase() ? char.toLowerCase() : char.toUpperCase())).join('');
}
