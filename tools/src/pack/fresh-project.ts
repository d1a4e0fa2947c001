import { type SpawnSyncOptions, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogVersions } from './catalog-versions.js';
import type { PackedPackage } from './pack-tarballs.js';
import type { ReadmeExample } from './readme-examples.js';

/** What a user installs beside Weft: the compiler, the WebGPU types, Node's types, Dawn's binding, a bundler. */
const companions = ['typescript', '@webgpu/types', '@types/node', 'webgpu', 'vite'] as const;

/**
 * The strict settings of `tsc --init` (TypeScript 5.9) for a Node program, plus the one line Weft's
 * types need: `@webgpu/types` in `types` (docs/guides/getting-started.md, "TypeScript setup").
 */
const tsconfig = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2023'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    types: ['node', '@webgpu/types'],
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    verbatimModuleSyntax: true,
    isolatedModules: true,
    skipLibCheck: true,
    outDir: 'dist',
    rootDir: 'src',
  },
  include: ['src'],
};

/** A project outside the workspace with the tarballs installed, and how to run commands in it. */
export interface FreshProject {
  readonly directory: string;
  /** Runs a command in the project; returns its exit status and output, echoing the output. */
  run(command: string, args: readonly string[]): { status: number | null; output: string };
}

/**
 * Creates a project in `parent` (a temporary folder, outside the workspace, so nothing resolves
 * through workspace links) whose dependencies are the tarballs, with `program` as `src/main.ts`
 * and the README examples under `src/readme/` (type-checked with it, not run), and installs it with pnpm, preferring the store (no network where every package is there).
 * `bundlers` are the packages of the other bundlers to check (esbuild, webpack and its loader).
 * The tarballs' own `^0.1.0` ranges on each other are pointed at the tarballs by overrides, since
 * the versions are not published yet.
 */
export function createFreshProject(
  root: string,
  parent: string,
  packages: readonly PackedPackage[],
  program: string,
  examples: readonly ReadmeExample[],
  bundlers: readonly string[] = [],
): FreshProject {
  const directory = mkdtempSync(join(parent, 'weft-install-'));
  const tarballs = Object.fromEntries(packages.map((entry) => [entry.name, `file:${entry.tarball}`]));
  const versions = catalogVersions(root, [...companions, ...bundlers]);
  const manifest = {
    name: 'weft-install-check',
    private: true,
    type: 'module',
    dependencies: { ...tarballs, webgpu: versions.webgpu },
    devDependencies: {
      typescript: versions.typescript,
      '@webgpu/types': versions['@webgpu/types'],
      '@types/node': versions['@types/node'],
      vite: versions.vite,
      ...Object.fromEntries(bundlers.map((name) => [name, versions[name]])),
    },
    pnpm: { overrides: tarballs },
  };
  writeFileSync(join(directory, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(directory, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
  mkdirSync(join(directory, 'src'));
  copyFileSync(program, join(directory, 'src', 'main.ts'));
  mkdirSync(join(directory, 'src', 'readme'));
  for (const example of examples)
    writeFileSync(join(directory, 'src', 'readme', example.fileName), example.source);
  // Dawn's Vulkan loader complains on stderr without a runtime directory; give it a private one.
  const runtimeDirectory = mkdtempSync(join(parent, 'weft-xdg-'));
  const options: SpawnSyncOptions = {
    cwd: directory,
    encoding: 'utf8',
    env: { ...withoutScriptVariables(process.env), XDG_RUNTIME_DIR: runtimeDirectory },
  };
  return {
    directory,
    run(command, args) {
      const { status, stdout, stderr } = spawnSync(command, args, options);
      const output = `${String(stdout ?? '')}${String(stderr ?? '')}`;
      process.stdout.write(output);
      return { status, output };
    },
  };
}

/**
 * The environment without what `pnpm run` adds for the workspace's own script: its package, its
 * folder and the workspace's pnpm settings as `npm_config_*` (which npm, behind `npx`, warns about),
 * keeping those that say where the registry, the caches and the user's settings are.
 */
function withoutScriptVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const scriptVariable = /^(npm_|PNPM_SCRIPT_SRC_DIR$|INIT_CWD$)/i;
  const kept = /^npm_config_(registry|cache|userconfig|store_dir|https?_proxy|noproxy)$/i;
  // Nor NODE_ENV (Vitest sets `test`): Vite gives its browser warnings only to production builds.
  return Object.fromEntries(
    Object.entries(env).filter(
      ([name]) => name !== 'NODE_ENV' && (kept.test(name) || !scriptVariable.test(name)),
    ),
  );
}
