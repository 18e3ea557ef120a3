// The issuer passphrase and the X.509 settings of a provisioning run. The passphrase comes from
// STATION_ISSUER_PASSPHRASE for unattended use, or from a prompt with echo off; it is never a
// command-line argument, because arguments show in the process list and shell history.
import password from '@inquirer/password';
import { StationError } from '../shared/reasons';
import { createPassphraseProtector, type KeyProtector } from '../main/credentials/x509/key-protector';
import type { KeyAlgorithm } from '../main/device/link';
import type { X509Settings } from '../main/provisioning/x509-credential';
import { checkNameAgainstPattern } from '../main/credentials/x509/profile';
import { IssuerStore } from '../main/store/issuer-store';
import type { Store, X509Mode } from '../main/store/store';

export const PASSPHRASE_VARIABLE = 'STATION_ISSUER_PASSPHRASE';

/** Minimum passphrase length for a new issuer; scrypt makes each guess slow, not impossible. */
const MIN_PASSPHRASE_LENGTH = 12;

export async function readIssuerPassphrase(options: { confirm: boolean }): Promise<string> {
  const fromEnvironment = process.env[PASSPHRASE_VARIABLE];
  if (fromEnvironment !== undefined && fromEnvironment !== '') {
    return checkPassphrase(fromEnvironment, options.confirm);
  }
  if (process.stdin.isTTY !== true) {
    throw new StationError('invalid-argument', `no terminal to ask for the issuer passphrase; set ${PASSPHRASE_VARIABLE}`);
  }

  const entered = await password({ message: 'Issuer passphrase:', mask: true });
  checkPassphrase(entered, options.confirm);
  if (options.confirm) {
    const again = await password({ message: 'Repeat the passphrase:', mask: true });
    if (again !== entered) {
      throw new StationError('invalid-argument', 'the two passphrases differ');
    }
  }
  return checkPassphrase(entered, options.confirm);
}

function checkPassphrase(passphrase: string, isNew: boolean): string {
  if (isNew && passphrase.length < MIN_PASSPHRASE_LENGTH) {
    throw new StationError('invalid-argument', `the issuer passphrase must have at least ${MIN_PASSPHRASE_LENGTH} characters`);
  }
  return passphrase;
}

export async function passphraseProtector(options: { confirm: boolean }): Promise<KeyProtector> {
  return createPassphraseProtector(await readIssuerPassphrase(options));
}

export interface X509CommandOptions {
  x509Mode: X509Mode;
  keyAlgorithm: KeyAlgorithm;
  certValidityDays?: number;
  certBackdateMinutes?: number;
  cnPattern?: string;
}

/** Loads what an X.509 run needs: the issuer store, and the issuer itself unless self-signed. */
export async function x509Settings(store: Store, options: X509CommandOptions): Promise<X509Settings> {
  if (options.cnPattern !== undefined) {
    // A broken pattern is a command-line mistake, so it is reported before any unit is touched.
    checkNameAgainstPattern('', options.cnPattern, { syntaxOnly: true });
  }
  const issuerStore = new IssuerStore(store.database);
  const certificate = {
    ...(options.certValidityDays === undefined ? {} : { validityDays: options.certValidityDays }),
    ...(options.certBackdateMinutes === undefined ? {} : { backdateMinutes: options.certBackdateMinutes }),
    ...(options.cnPattern === undefined ? {} : { cnPattern: options.cnPattern }),
  };
  const settings: X509Settings = { mode: options.x509Mode, keyAlgorithm: options.keyAlgorithm, issuerStore, certificate };

  if (options.x509Mode !== 'self-signed') {
    if (issuerStore.activeIssuerInfo() === undefined) {
      throw new StationError('issuer-missing', `--x509-mode ${options.x509Mode} signs with the station's issuing CA`);
    }
    settings.issuer = await issuerStore.loadActiveIssuer(await passphraseProtector({ confirm: false }));
  }
  return settings;
}
