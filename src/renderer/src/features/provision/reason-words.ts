// The words of a reason code on a card: its message with the detail, and its action.
import { REASON_MESSAGES } from '../../../../shared/messages';
import type { ReasonCode } from '../../../../shared/reasons';

export interface ReasonWords {
  message: string;
  action: string | null;
}

/**
 * Returns the reason's message with its detail, and its action. Without a code, the detail (or
 * else `fallback`) is the message. A code this build does not know shows as itself.
 */
export function reasonWords(code: ReasonCode | null, detail: string | null, fallback: string): ReasonWords {
  if (code === null) {
    return { message: detail ?? fallback, action: null };
  }
  const known = Object.hasOwn(REASON_MESSAGES, code) ? REASON_MESSAGES[code] : undefined;
  const message = known?.message ?? code;
  return { message: detail === null ? message : `${message}: ${detail}`, action: known?.action ?? null };
}
