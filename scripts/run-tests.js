#!/usr/bin/env node
// Runs the whole Vitest suite and ends with the plain summary line "N passed, N failed" that CI
// reads. The exit code is Vitest's, so a failure or a run with no test at all fails.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const reportDir = mkdtempSync(join(tmpdir(), 'station-tests-'));
const reportFile = join(reportDir, 'report.json');
const extra = process.argv.slice(2);

const run = spawnSync(
  'npx',
  ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${reportFile}`, ...extra],
  { stdio: 'inherit' },
);

let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  passed = report.numPassedTests;
  failed = report.numFailedTests;
  skipped = report.numPendingTests + report.numTodoTests;
} catch {
  console.error('The test report was not written; see the Vitest output above.');
  failed = Math.max(failed, 1);
}
rmSync(reportDir, { recursive: true, force: true });

console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
let status = run.status ?? 1;
if (status === 0 && passed === 0) {
  // A run that executed no test proves nothing, so it fails.
  status = 1;
}
process.exit(status);
