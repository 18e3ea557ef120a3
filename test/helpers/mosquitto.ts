// A real Mosquitto broker on loopback that requires TLS client certificates, and a client
// (mosquitto_pub) that tries to publish with a given certificate and key.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MOSQUITTO_BINARIES = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'];

export function mosquittoPath(): string | undefined {
  return MOSQUITTO_BINARIES.find((path) => existsSync(path));
}

export interface Broker {
  port: number;
  /** The PEM the clients trust for the broker's own certificate. */
  serverCaFile: string;
  /** Publishes one message with this client certificate and key; returns mosquitto_pub's result. */
  publish(client: { certFile: string; keyFile: string }): { accepted: boolean; output: string };
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      if (child.exitCode !== null) {
        reject(new Error(`mosquitto exited with code ${child.exitCode}`));
        return;
      }
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`mosquitto did not listen on 127.0.0.1:${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

function openssl(args: string[], cwd: string): void {
  const result = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl ${args[0] ?? ''} failed: ${result.stderr}`);
}

/**
 * Starts Mosquitto with a TLS listener that trusts only `clientCaFile` for client certificates
 * and requires one. The broker's own certificate comes from a throwaway CA made here.
 */
export async function startBroker(clientCaFile: string): Promise<Broker> {
  const binary = mosquittoPath();
  if (binary === undefined) throw new Error('mosquitto is not installed; run scripts/setup.sh');
  const dir = mkdtempSync(join(tmpdir(), 'station-broker-'));

  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'server-ca.key', '-out', 'server-ca.pem', '-subj', '/CN=broker test CA', '-days', '2'], dir);
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'], dir);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'server-ca.pem', '-CAkey', 'server-ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext'], dir);

  const port = await freePort();
  const config = [
    'per_listener_settings true',
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    `cafile ${clientCaFile}`,
    `certfile ${join(dir, 'server.pem')}`,
    `keyfile ${join(dir, 'server.key')}`,
    'require_certificate true',
    'use_identity_as_username true',
    'tls_version tlsv1.2',
    // Started as root, Mosquitto switches to the "mosquitto" user, which cannot read the test's
    // private temp folders; as root it must be told to stay root.
    ...(process.getuid?.() === 0 ? ['user root'] : []),
    '',
  ].join('\n');
  writeFileSync(join(dir, 'mosquitto.conf'), config);

  const child = spawn(binary, ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  try {
    await waitForPort(port, child, 5000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}: ${log}`, { cause: error });
  }

  return {
    port,
    serverCaFile: join(dir, 'server-ca.pem'),
    publish(client) {
      const result = spawnSync(
        'mosquitto_pub',
        ['-h', '127.0.0.1', '-p', String(port), '--cafile', join(dir, 'server-ca.pem'), '--cert', client.certFile, '--key', client.keyFile, '-t', 'station/test', '-m', 'hello', '-q', '1'],
        { encoding: 'utf8', timeout: 10_000 },
      );
      return { accepted: result.status === 0, output: `${result.stdout}${result.stderr}`.trim() };
    },
    async close() {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
