// Protectors of the issuing CA key: which one opens it, and moving the key between them. The
// desktop app keeps the CA key sealed by the OS keychain (safeStorage) when one is available.
// The command line and a headless station use a passphrase. safeStorage is passed in, so this
// module needs no Electron import.
import { StationError } from '../../../shared/reasons';
import { getLogger } from '../../log';
import { keyProtectionStatus } from '../../store/data-key-provider';
import type { IssuerStore } from '../../store/issuer-store';
import { createPassphraseProtector, createSafeStorageProtector, type KeyProtector, type SafeStorageLike } from './key-protector';

const log = getLogger('store');

export interface IssuerKeySources {
  /** Electron's safeStorage, in the desktop app only. */
  safeStorage?: SafeStorageLike;
  /** The issuer passphrase, when the operator gave one (STATION_ISSUER_PASSPHRASE). */
  passphrase?: string;
}

/**
 * Returns the protector that opens the active issuer's key, as its row records it was sealed.
 * Raises issuer-missing without an active issuer, issuer-passphrase-wrong when a passphrase is
 * needed and none was given, and issuer-protection-unavailable for a keychain-sealed key
 * outside the desktop app.
 */
export function issuerProtectorFor(issuerStore: IssuerStore, sources: IssuerKeySources): KeyProtector {
  const info = issuerStore.activeIssuerInfo();
  if (info === undefined) {
    throw new StationError('issuer-missing', 'this station has no active issuer');
  }
  if (info.protectorKind === 'safe-storage') {
    if (sources.safeStorage === undefined) {
      throw new StationError('issuer-protection-unavailable', 'the CA key is sealed by the desktop app\'s OS keychain; open it in the desktop app');
    }
    return createSafeStorageProtector(sources.safeStorage);
  }
  if (sources.passphrase === undefined || sources.passphrase === '') {
    throw new StationError('issuer-passphrase-wrong', 'the CA key is sealed with a passphrase, and none was given');
  }
  return createPassphraseProtector(sources.passphrase);
}

/**
 * Seals the active issuer's CA key again: opened with `from`, sealed with `to`, and saved as a
 * new active issuer row with the same certificate chain. The old row is retired with its old
 * seal. Returns false, changing nothing, when the key is already sealed the way `to` seals.
 */
export async function resealIssuerKey(issuerStore: IssuerStore, from: KeyProtector, to: KeyProtector): Promise<boolean> {
  const info = issuerStore.activeIssuerInfo();
  if (info === undefined) {
    throw new StationError('issuer-missing', 'this station has no active issuer');
  }
  if (info.protectorKind === to.kind) {
    return false;
  }

  const { issuer } = await issuerStore.loadActiveIssuer(from);
  const saved = await issuerStore.saveIssuer(issuer, to, info.source);
  log.info({ retiredIssuerId: info.id, issuerId: saved.id, from: from.kind, to: to.kind }, 'sealed the CA key with another protector');
  return true;
}

/**
 * Moves a passphrase-sealed CA key into the OS keychain, when the desktop app has both the
 * keychain and the passphrase. Returns true when it moved the key.
 */
export async function moveIssuerKeyToKeychain(issuerStore: IssuerStore, safeStorage: SafeStorageLike, passphrase: string | undefined): Promise<boolean> {
  const info = issuerStore.activeIssuerInfo();
  if (info?.protectorKind !== 'passphrase' || passphrase === undefined || passphrase === '' || !keyProtectionStatus(safeStorage).available) {
    return false;
  }
  return resealIssuerKey(issuerStore, createPassphraseProtector(passphrase), createSafeStorageProtector(safeStorage));
}
