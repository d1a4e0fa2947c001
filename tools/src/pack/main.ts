// The package check (`pnpm check:packages`, a step of `pnpm verify`; needs `pnpm build` first): packs
// every published package as `pnpm publish` would, lints each tarball (publint, Are The Types Wrong),
// then installs the tarballs in a fresh project outside the workspace and uses them as a user would:
// type-checks a strict TypeScript program (tools/src/pack/fixture/attention-smoke.ts) and the
// packages' README examples, runs the program in Node (WebGPU through Dawn, or the CPU backend) and
// runs `npx weft --help`; then builds a Vite page from the tarballs (tools/src/pack/fixture/web, with
// every browser entry point beside it), failing on any build warning, and loads it in headless
// Chromium, where it runs a custom attention variant on WebGPU against float64; then builds the same
// page with esbuild (and webpack with `--bundlers=esbuild,webpack`) and loads each build the same
// way (tools/src/pack/bundler-pages.ts). Prints each tarball's size and the time of each stage;
// exits 1 on any failure.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Bundler, bundlerCompanions, checkBundlerPage } from './bundler-pages.js';
import { createFreshProject } from './fresh-project.js';
import { lintTarballs } from './lint-tarballs.js';
import { packTarballs } from './pack-tarballs.js';
import { publishablePackages } from './publishable-packages.js';
import { readmeExamples } from './readme-examples.js';
import { checkVitePage } from './vite-page.js';

const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const program = fileURLToPath(new URL('fixture/attention-smoke.ts', import.meta.url));
const keep = process.argv.includes('--keep');
// For a quicker loop while editing READMEs or the program: pack and install, without the linters.
const lint = !process.argv.includes('--no-lint');
// The bundlers checked besides Vite: esbuild by default (seconds); `--bundlers=esbuild,webpack` adds
// webpack (`pnpm check:packages:long`: its install and build add about a minute), `--bundlers=` none.
const bundlersFlag = process.argv.find((arg) => arg.startsWith('--bundlers='));
const bundlers = (bundlersFlag?.slice('--bundlers='.length) ?? 'esbuild')
  .split(',')
  .filter((name) => name !== '') as Bundler[];
for (const name of bundlers) {
  if (!(name in bundlerCompanions)) throw new Error(`--bundlers: unknown bundler ${name} (esbuild, webpack)`);
}
const failures: string[] = [];
const started = Date.now();
const stage = (name: string, since: number) =>
  console.log(`--- ${name}: ${((Date.now() - since) / 1000).toFixed(1)}s`);

const work = mkdtempSync(join(tmpdir(), 'weft-packages-'));
try {
  let since = Date.now();
  const packages = publishablePackages(root);
  const packed = packTarballs(root, packages, join(work, 'tarballs'));
  for (const entry of packed) {
    const size = `${(entry.bytes / 1024).toFixed(0)} KiB`.padStart(9);
    console.log(`${entry.name.padEnd(16)} ${size}  ${String(entry.fileCount).padStart(4)} files`);
    if (!entry.hasReadme) failures.push(`${entry.name}: the tarball has no README.md`);
  }
  stage('pack', since);

  since = Date.now();
  if (lint) {
    failures.push(...(await lintTarballs(root, packed)));
    stage('publint and attw', since);
  }

  since = Date.now();
  const examples = readmeExamples(root, packages);
  const project = createFreshProject(
    root,
    work,
    packed,
    program,
    examples,
    bundlers.flatMap((name) => bundlerCompanions[name]),
  );
  const steps: [string, string, string[]][] = [
    ['install', 'pnpm', ['install', '--prefer-offline', '--no-frozen-lockfile', '--reporter=append-only']],
    ['tsc (strict)', 'node_modules/.bin/tsc', ['-p', '.']],
    ['node program', 'node', ['dist/main.js']],
    ['npx weft --help', 'npx', ['weft', '--help']],
  ];
  let installed = true;
  for (const [name, command, args] of steps) {
    const stepStarted = Date.now();
    console.log(`--- ${name}: ${command} ${args.join(' ')} (in ${project.directory})`);
    const { status, output } = project.run(command, args);
    // npx finds the installed bin in node_modules/.bin (no download); the usage line is weft's own.
    const helpless = name === 'npx weft --help' && !output.includes('$ weft <command>');
    if (status !== 0 || helpless) {
      failures.push(`${name}: ${status !== 0 ? `exit ${status}` : 'no usage text'}`);
      installed = name !== 'install';
      break;
    }
    stage(name, stepStarted);
  }
  if (installed) {
    failures.push(...(await checkVitePage(project, stage)));
    for (const bundler of bundlers) failures.push(...(await checkBundlerPage(project, bundler, stage)));
  }
  stage('fresh project', since);
} finally {
  if (keep) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

stage('package check', started);
for (const failure of failures) console.log(`FAILED ${failure}`);
process.exit(failures.length > 0 ? 1 : 0);
