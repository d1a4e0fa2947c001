#!/usr/bin/env node
// The project's test command (README: `pnpm verify`; CI runs it): typecheck, lint, the architecture
// checks (import layers, import cycles, file lengths; tools/src/architecture), build, every
// test project (unit, GPU on a real WebGPU device, browser), the kernel replay (report-only), docs
// and package checks. Runs every step even after a failure, then prints one line "N passed, N failed"
// (tests counted by vitest's JSON reporter, failed steps counted as failures) and exits non-zero on
// any failure.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const resultsFile = '.vitest-results.json';
const steps = [
  ['typecheck', 'pnpm', ['turbo', 'run', 'typecheck', '--output-logs=errors-only']],
  ['lint', 'pnpm', ['biome', 'check', '.']],
  ['architecture', 'pnpm', ['--silent', 'check:architecture']],
  ['build', 'pnpm', ['turbo', 'run', 'build', '--output-logs=errors-only']],
  // Every code block of the docs (front page, guides, generated cookbook pages): TypeScript
  // type-checked under strict TS against the built packages, `runnable` blocks run and their output
  // compared, JSON specs validated against the schemas (tools/src/docs/blocks).
  ['guide code blocks', 'pnpm', ['--silent', 'check:guides']],
  // Every function a user calls directly carries an `@example`, and each one (but the `fragment`s)
  // type-checks as a module of its own (tools/src/docs/examples; the rule in user-facing.ts).
  ['api examples', 'pnpm', ['--silent', 'check:examples']],
  [
    'tests',
    'pnpm',
    ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${resultsFile}`],
  ],
  // Report-only: lists the kernels whose WGSL differs from the parent commit's (the merge base with
  // main on a branch), since a commit may change kernels on purpose; fails only when generating the
  // kernels fails. `pnpm replay` (strict, with diffs) is the check to run before committing.
  ['replay', 'pnpm', ['replay', '--report', '--no-diffs']],
  ['docs', 'pnpm', ['run', 'docs']],
  // Packs every published package, lints the tarballs, installs them in a fresh project outside the
  // workspace, type-checks and runs a program there and `npx weft --help`, and builds the getting
  // started page with Vite and esbuild and loads each in Chromium (tools/src/pack/main.ts; webpack's
  // build of the page is in `pnpm check:packages:long`).
  ['packages', 'pnpm', ['--silent', 'check:packages']],
];

rmSync(resultsFile, { force: true });
const failedSteps = [];
for (const [name, command, args] of steps) {
  const started = Date.now();
  console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
  const { status } = spawnSync(command, args, { stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`=== ${name}: ${status === 0 ? 'ok' : `FAILED (exit ${status})`} in ${seconds}s`);
  if (status !== 0) failedSteps.push(name);
}

let passed = 0;
let failed = 0;
if (existsSync(resultsFile)) {
  const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
  passed = results.numPassedTests;
  // A test file that fails to load has no failed test in it, but is a failure all the same.
  const unloadedFiles = results.testResults.filter(
    (file) => file.status === 'failed' && file.assertionResults.length === 0,
  ).length;
  failed = results.numFailedTests + unloadedFiles;
  // CI keeps only the tail of the log: name every failed test (and its first message line) here.
  for (const file of results.testResults) {
    if (file.status !== 'failed') continue;
    const where = file.name.replace(`${process.cwd()}/`, '');
    if (file.assertionResults.length === 0)
      console.log(`\nFAILED to load: ${where}\n  ${firstLine(file.message)}`);
    for (const test of file.assertionResults) {
      if (test.status !== 'failed') continue;
      console.log(`\nFAILED ${where} > ${test.fullName}\n  ${firstLine(test.failureMessages?.[0])}`);
    }
  }
  if (results.numTotalTests === 0) failedSteps.push('tests (none ran)');
} else if (!failedSteps.includes('tests')) {
  failedSteps.push('tests (no results)');
}
const nonTestFailures = failedSteps.filter((name) => name !== 'tests').length;
if (failedSteps.length > 0) console.log(`\nfailed steps: ${failedSteps.join(', ')}`);
console.log(`\n${passed} passed, ${failed + nonTestFailures} failed`);
process.exit(failedSteps.length > 0 || failed > 0 ? 1 : 0);

/** The first non-empty line of a failure message, cut to 300 characters. */
function firstLine(message) {
  const line = (message ?? '').split('\n').find((text) => text.trim() !== '') ?? '(no message)';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
