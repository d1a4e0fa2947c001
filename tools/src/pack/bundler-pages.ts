import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPage } from './chromium-page.js';
import type { FreshProject } from './fresh-project.js';
import { WARNING } from './vite-page.js';

/**
 * The bundlers besides Vite that docs/guides/getting-started.md has a recipe for ("Use it with
 * esbuild", "Use it with webpack"), with the companions each needs in the fresh project.
 */
export const bundlerCompanions = { esbuild: ['esbuild'], webpack: ['webpack', 'webpack-cli', 'ts-loader'] };
export type Bundler = keyof typeof bundlerCompanions;

const fixture = new URL('fixture/', import.meta.url);

/**
 * How the check builds each page: the guide's command, plus the module importing every browser
 * entry point as a second entry, so that a Node module reachable from any entry fails the build.
 * The webpack config of the check is the guide's, with that entry added.
 */
const builds: Record<Bundler, { files: Record<string, string>; command: string; args: string[] }> = {
  esbuild: {
    files: { 'index.html': 'esbuild/index.html', 'main.ts': 'web/main.ts' },
    command: 'node_modules/.bin/esbuild',
    args: [
      'esbuild/main.ts',
      'esbuild/browser-entries.ts',
      '--bundle',
      '--format=esm',
      '--outdir=esbuild/dist',
    ],
  },
  webpack: {
    files: {
      'index.html': 'webpack/index.html',
      'main.ts': 'web/main.ts',
      'tsconfig.json': 'web/tsconfig.json',
      'webpack.config.js': 'webpack/webpack.config.js',
    },
    command: 'node_modules/.bin/webpack',
    args: ['--config', 'webpack/webpack.check.config.js'],
  },
};

const webpackCheckConfig = `import config from './webpack.config.js';
export default { ...config, entry: { ...config.entry, entries: './browser-entries.ts' } };
`;

/**
 * Builds the Vite page's main.ts with `bundler` in the fresh project (a folder named after it) from
 * the installed tarballs, as the guide's recipe says, and loads the build in headless Chromium.
 * Returns the failures: a failed build, any warning of the build, a page error or a wrong result.
 */
export async function checkBundlerPage(
  project: FreshProject,
  bundler: Bundler,
  stage: (name: string, since: number) => void,
): Promise<string[]> {
  const folder = join(project.directory, bundler);
  mkdirSync(folder);
  const build = builds[bundler];
  for (const [file, source] of Object.entries(build.files))
    copyFileSync(new URL(source, fixture), join(folder, file));
  copyFileSync(new URL('browser-entries.ts', fixture), join(folder, 'browser-entries.ts'));
  if (bundler === 'webpack') writeFileSync(join(folder, 'webpack.check.config.js'), webpackCheckConfig);

  let since = Date.now();
  console.log(`--- ${bundler} build: ${build.command} ${build.args.join(' ')}`);
  const { status, output } = project.run(build.command, build.args);
  if (status !== 0) return [`${bundler} build: exit ${status}`];
  const warnings = output.split('\n').filter((line) => WARNING.test(line));
  if (warnings.length > 0) return warnings.map((line) => `${bundler} build warned: ${line.trim()}`);
  stage(`${bundler} build`, since);

  since = Date.now();
  const failures = await loadPage(folder);
  stage(`${bundler} page in Chromium`, since);
  return failures.map((failure) => `${bundler}: ${failure}`);
}
