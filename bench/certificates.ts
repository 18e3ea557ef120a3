// Per-unit certificate issue time: EC P-256 and RSA-2048 device keys with a CA-signed
// certificate (Node's crypto for the keys, @peculiar/x509 for the certificate), beside
// node-forge's pure-JavaScript RSA-2048 key generation, measured in the same run.
// Run: npm run bench   (or: npx tsx bench/certificates.ts [units])
import { performance } from 'node:perf_hooks';
import forge from 'node-forge';
import { createIssuer } from '../src/main/credentials/x509/create-issuer';
import { issueWithCaKey } from '../src/main/credentials/x509/issue';
import type { KeyAlgorithm } from '../src/main/device/link';

const units = Number(process.argv[2] ?? 20);
/** Forge's RSA key generation takes seconds each, so it runs fewer times. */
const forgeUnits = Math.max(3, Math.ceil(units / 5));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

async function timeIssue(algorithm: KeyAlgorithm, count: number): Promise<number[]> {
  const issuer = await createIssuer({ name: 'Benchmark station', keyAlgorithm: 'ec-p256' });
  const times: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const start = performance.now();
    await issueWithCaKey(`BENCH-${algorithm}-${index}`, issuer, { keyAlgorithm: algorithm });
    times.push(performance.now() - start);
  }
  return times;
}

function timeForgeRsa(count: number): number[] {
  // Without this, node-forge hands RSA key generation to Node's native crypto when it can.
  // @types/node-forge does not declare forge.options, which the library has.
  (forge as unknown as { options: { usePureJavaScript: boolean } }).options.usePureJavaScript = true;
  const times: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const start = performance.now();
    forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001, workers: 0 });
    times.push(performance.now() - start);
  }
  return times;
}

// One warm-up issue of each kind, so module loading and JIT are not counted.
await timeIssue('ec-p256', 1);
await timeIssue('rsa-2048', 1);

const ec = median(await timeIssue('ec-p256', units));
const rsa = median(await timeIssue('rsa-2048', units));
const forgeRsa = median(timeForgeRsa(forgeUnits));

console.log(`Per-unit issue time, median (${units} units each; node-forge ${forgeUnits} keys), Node ${process.version}`);
console.log(`  EC P-256 key + CA-signed certificate   ${ec.toFixed(1).padStart(8)} ms   ${(ec / forgeRsa).toFixed(3)} of forge time`);
console.log(`  RSA-2048 key + CA-signed certificate   ${rsa.toFixed(1).padStart(8)} ms   ${(rsa / forgeRsa).toFixed(3)} of forge time`);
console.log(`  node-forge RSA-2048 key only (baseline)${forgeRsa.toFixed(1).padStart(8)} ms   1.000 of forge time`);
