// `station issuer create|import|show|verify-log`: the station's issuing CA and its issuance log.
import { readFileSync } from 'node:fs';
import password from '@inquirer/password';
import { StationError } from '../../shared/reasons';
import { createIssuer } from '../../main/credentials/x509/create-issuer';
import { importIssuer } from '../../main/credentials/x509/import-issuer';
import type { KeyAlgorithm } from '../../main/device/link';
import { IssuerStore } from '../../main/store/issuer-store';
import { Store } from '../../main/store/store';
import { passphraseProtector } from '../issuer-access';
import { EXIT, printJson } from '../output';

/** Passphrase of an encrypted key file or PKCS#12 bundle being imported, never an argument. */
const IMPORT_PASSPHRASE_VARIABLE = 'STATION_IMPORT_PASSPHRASE';

function withIssuerStore<T>(db: string, create: boolean, action: (store: Store, issuers: IssuerStore) => Promise<T>): Promise<T> {
  const store = new Store(db, { create });
  return action(store, new IssuerStore(store.database)).finally(() => store.close());
}

/**
 * Refuses to replace the active issuer unless asked: devices already signed chain to its root,
 * and a second root splits the fleet across two trust anchors.
 */
function checkReplacement(issuers: IssuerStore, replace: boolean | undefined): void {
  const active = issuers.activeIssuerInfo();
  if (active !== undefined && replace !== true) {
    throw new StationError(
      'invalid-argument',
      `this station already has an issuing CA (${active.subject}, valid until ${active.notAfter.toISOString().slice(0, 10)}); add --replace to retire it for a new one`,
    );
  }
}

export function issuerCreateCommand(options: { db: string; key: KeyAlgorithm; name?: string; replace?: boolean; json?: boolean }): Promise<number> {
  return withIssuerStore(options.db, true, async (store, issuers) => {
    checkReplacement(issuers, options.replace);
    const protector = await passphraseProtector({ confirm: true });
    const issuer = await createIssuer({ keyAlgorithm: options.key, name: options.name ?? `Provisioning Station ${store.stationId()}` });
    const saved = await issuers.saveIssuer(issuer, protector, 'created');
    report(options.json, { created: true, subject: saved.subject, notAfter: saved.notAfter.toISOString() });
    return EXIT.ok;
  });
}

export async function issuerImportCommand(options: {
  db: string;
  cert?: string;
  key?: string;
  pkcs12?: string;
  replace?: boolean;
  json?: boolean;
}): Promise<number> {
  if (options.pkcs12 === undefined && (options.cert === undefined || options.key === undefined)) {
    throw new StationError('invalid-argument', 'give --cert FILE and --key FILE, or --pkcs12 FILE');
  }

  // The material is read and checked first, so a rejected import leaves no database behind.
  const materialPassphrase = await importPassphrase(options);
  const issuer = await importIssuer({
    ...(options.cert === undefined ? {} : { certificate: readInput(options.cert, '--cert') }),
    ...(options.key === undefined ? {} : { key: readInput(options.key, '--key') }),
    ...(options.pkcs12 === undefined ? {} : { pkcs12: readInput(options.pkcs12, '--pkcs12') }),
    ...(materialPassphrase === undefined ? {} : { keyPassphrase: materialPassphrase, pkcs12Passphrase: materialPassphrase }),
  });

  return withIssuerStore(options.db, true, async (_store, issuers) => {
    checkReplacement(issuers, options.replace);
    const protector = await passphraseProtector({ confirm: true });
    const saved = await issuers.saveIssuer(issuer, protector, 'imported');
    report(options.json, { imported: true, subject: saved.subject, notAfter: saved.notAfter.toISOString() });
    return EXIT.ok;
  });
}

export function issuerShowCommand(options: { db: string }): Promise<number> {
  return withIssuerStore(options.db, false, (_store, issuers) => {
    const info = issuers.activeIssuerInfo();
    if (info === undefined) {
      throw new StationError('issuer-missing', 'this station has no issuing CA; run `station issuer create --db FILE`');
    }
    // The chain as devices and brokers need it: the issuing CA first, the root last.
    process.stdout.write(info.chainPem);
    return Promise.resolve(EXIT.ok);
  });
}

export function issuerVerifyLogCommand(options: { db: string; json?: boolean }): Promise<number> {
  return withIssuerStore(options.db, false, (_store, issuers) => {
    const check = issuers.verifyIssuanceLog();
    if (check.ok) {
      report(options.json, { ok: true, entries: check.entries, headHash: check.headHash });
      return Promise.resolve(EXIT.ok);
    }
    process.stderr.write(`issuance log broken at entry ${check.seq}: ${check.problem} (${check.detail})\n`);
    if (options.json === true) {
      printJson({ ok: false, seq: check.seq, problem: check.problem, detail: check.detail });
    }
    return Promise.resolve(EXIT.failed);
  });
}

function report(json: boolean | undefined, result: Record<string, unknown>): void {
  if (json === true) {
    printJson(result);
    return;
  }
  for (const [key, value] of Object.entries(result)) {
    console.log(`${key}: ${String(value)}`);
  }
}

function readInput(path: string, option: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new StationError('invalid-argument', `${option} ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, { cause: error });
  }
}

/** Asks for the import material's passphrase only when the material looks encrypted. */
async function importPassphrase(options: { key?: string; pkcs12?: string }): Promise<string | undefined> {
  const fromEnvironment = process.env[IMPORT_PASSPHRASE_VARIABLE];
  if (fromEnvironment !== undefined) {
    return fromEnvironment;
  }
  const encrypted = options.pkcs12 !== undefined || (options.key !== undefined && readInput(options.key, '--key').includes('ENCRYPTED'));
  if (!encrypted) {
    return undefined;
  }
  if (process.stdin.isTTY !== true) {
    throw new StationError('invalid-argument', `the material to import is encrypted; set ${IMPORT_PASSPHRASE_VARIABLE}`);
  }
  return password({ message: 'Passphrase of the key or bundle to import:', mask: true });
}
