// OpenSSL's command line as the judge of what the station issues, and as the maker of CA
// material in the forms sites bring it.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface OpensslResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs openssl with `args` in `cwd` and returns its status and output; it never throws. */
export function openssl(cwd: string, args: string[], input?: string): OpensslResult {
  const result = spawnSync('openssl', args, { cwd, input, encoding: 'utf8' });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Runs openssl and fails the test with its stderr when it exits non-zero. */
export function opensslOk(cwd: string, args: string[], input?: string): string {
  const result = openssl(cwd, args, input);
  if (result.status !== 0) {
    throw new Error(`openssl ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  }
  return result.stdout;
}

export type CaKeyType = 'ec' | 'rsa';

export interface CaExtensions {
  basicConstraints?: string;
  keyUsage?: string;
}

const CA_DEFAULTS: Required<CaExtensions> = {
  basicConstraints: 'critical,CA:TRUE',
  keyUsage: 'critical,keyCertSign,cRLSign',
};

/** Writes a config whose [ext] section contains exactly the given extensions, so nothing else sneaks in. */
function writeConfig(dir: string, name: string, extensions: CaExtensions): string {
  const merged = { ...CA_DEFAULTS, ...extensions };
  const path = join(dir, `${name}.cnf`);
  writeFileSync(
    path,
    [
      '[req]',
      'distinguished_name = dn',
      'prompt = no',
      '[dn]',
      `CN = ${name}`,
      '[ext]',
      `basicConstraints = ${merged.basicConstraints}`,
      `keyUsage = ${merged.keyUsage}`,
      'subjectKeyIdentifier = hash',
      'authorityKeyIdentifier = keyid:always',
      '',
    ].join('\n'),
  );
  return path;
}

/** Generates a private key file: SEC1 PEM for EC (via ecparam), PKCS#1 PEM for RSA (-traditional). */
export function makeKey(dir: string, name: string, type: CaKeyType): string {
  const path = `${name}.key.pem`;
  if (type === 'ec') {
    opensslOk(dir, ['ecparam', '-name', 'prime256v1', '-genkey', '-out', path]);
  } else {
    opensslOk(dir, ['genrsa', '-traditional', '-out', path, '2048']);
  }
  return path;
}

/** Makes a self-signed CA certificate with OpenSSL's req -x509; returns the file names. */
export function makeRootCa(
  dir: string,
  name: string,
  type: CaKeyType,
  options: { days?: number; extensions?: CaExtensions } = {},
): { cert: string; key: string } {
  const key = makeKey(dir, name, type);
  const cert = `${name}.cert.pem`;
  const config = writeConfig(dir, name, options.extensions ?? {});
  opensslOk(dir, ['req', '-x509', '-new', '-key', key, '-config', config, '-extensions', 'ext', '-days', String(options.days ?? 7300), '-out', cert]);
  return { cert, key };
}

/** Makes a CA certificate signed by another CA with OpenSSL's x509 -req; returns the file names. */
export function makeSubCa(dir: string, name: string, type: CaKeyType, parent: { cert: string; key: string }, days = 5475): { cert: string; key: string } {
  const key = makeKey(dir, name, type);
  const config = writeConfig(dir, name, { basicConstraints: 'critical,CA:TRUE,pathlen:0' });
  opensslOk(dir, ['req', '-new', '-key', key, '-config', config, '-out', `${name}.csr`]);
  const cert = `${name}.cert.pem`;
  opensslOk(dir, [
    'x509', '-req', '-in', `${name}.csr`, '-CA', parent.cert, '-CAkey', parent.key, '-CAcreateserial',
    '-extfile', config, '-extensions', 'ext', '-days', String(days), '-out', cert,
  ]);
  return { cert, key };
}
