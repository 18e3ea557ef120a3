// Turns a rejected call into the sentence the alert region shows, and recognises the rejection
// that means the settings are locked.
import { StationCallError } from '../../../shared/api';
import { REASON_MESSAGES, UI_STRINGS } from '../../../shared/messages';

/** Returns the user-facing text of a rejected call; the transports already put it in the message. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message.trim() !== '') {
    return error.message;
  }
  if (typeof error === 'string' && error.trim() !== '') {
    return error;
  }
  return UI_STRINGS.unknownError;
}

/**
 * Tells whether a call was rejected because the settings need the supervisor PIN. Electron's
 * context bridge passes only an error's message, so the locked message counts as well as the code.
 */
export function isSettingsLocked(error: unknown): boolean {
  if (error instanceof StationCallError) {
    return error.code === 'settings-locked';
  }
  if (typeof error === 'object' && error !== null && 'code' in error && error.code === 'settings-locked') {
    return true;
  }
  return error instanceof Error && error.message.startsWith(REASON_MESSAGES['settings-locked'].message);
}
