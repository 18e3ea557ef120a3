// Device names: a naming rule turns what the device reports into the name ThingsBoard shows,
// unless the operator gives one (for example a scanned serial number).
import { StationError } from '../../shared/reasons';

/** The default rule: model and hardware id, e.g. "PS-SIM-1-0A1B2C3D". */
export const DEFAULT_NAMING_RULE = '{model}-{hardwareId}';

const PLACEHOLDER = /\{(model|hardwareId|firmwareVersion)\}/g;

/** Raises invalid-argument for a rule with an unknown placeholder, before any unit is touched. */
export function checkNamingRule(rule: string): void {
  const unknown = rule.replace(PLACEHOLDER, '').match(/\{[^}]*\}/);
  if (unknown !== null) {
    throw new StationError('invalid-argument', `the naming rule "${rule}" has an unknown placeholder ${unknown[0]}; use {model}, {hardwareId} and {firmwareVersion}`);
  }
}

export function applyNamingRule(
  rule: string,
  device: { model: string; hardwareId: string; firmwareVersion: string },
): string {
  const unknown = rule.replace(PLACEHOLDER, '').match(/\{[^}]*\}/);
  if (unknown !== null) {
    throw new StationError(
      'name-invalid',
      `the naming rule "${rule}" has an unknown placeholder ${unknown[0]}; use {model}, {hardwareId} and {firmwareVersion}`,
    );
  }
  return rule.replace(PLACEHOLDER, (_match, key: 'model' | 'hardwareId' | 'firmwareVersion') => device[key]);
}

/**
 * Rejects names ThingsBoard would refuse or mangle: blank, over 255 characters, control
 * characters, and markup that its XSS check rejects ("{{", "<", ">").
 */
export function validateDeviceName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0) {
    throw new StationError('name-invalid', 'the device name is empty; give a name or fix the naming rule');
  }
  if (trimmed.length > 255) {
    throw new StationError('name-invalid', `the device name is ${trimmed.length} characters; ThingsBoard allows 255`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(trimmed) || trimmed.includes('{{') || /[<>]/.test(trimmed)) {
    throw new StationError(
      'name-invalid',
      `the device name "${JSON.stringify(trimmed).slice(1, -1)}" contains control characters, "{{", "<" or ">"`,
    );
  }
  return trimmed;
}
