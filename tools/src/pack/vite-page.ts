import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPage } from './chromium-page.js';
import type { FreshProject } from './fresh-project.js';

/** The page (docs/guides/getting-started.md, "Use it in a Vite app") and the browser-entries module. */
const fixture = new URL('fixture/', import.meta.url);
const pageFiles = ['index.html', 'main.ts', 'tsconfig.json'] as const;

/**
 * The check's own Vite config: the page plus a second input that imports every browser entry point.
 * The page itself needs no config.
 */
const viteConfig = `export default {
  build: { rolldownOptions: { input: { page: 'index.html', entries: 'browser-entries.ts' } } },
};
`;

/** What Vite and Rolldown print for a warning: a plugin's message, a `(!)` notice, the word itself. */
export const WARNING = /warn|externalized|\(!\)|deprecat/i;

/**
 * Builds the Vite page in `web/` of the fresh project from the installed tarballs, type-checks it,
 * and loads the build in headless Chromium (WebGPU through SwiftShader where there is no GPU).
 * Returns the failures: a type error, a failed build, any warning of the build (a Node module pulled
 * into a browser bundle among them), a page error, or the page's own report of a wrong result.
 */
export async function checkVitePage(project: FreshProject, stage: (name: string, since: number) => void) {
  const web = join(project.directory, 'web');
  mkdirSync(web);
  for (const file of pageFiles) copyFileSync(new URL(`web/${file}`, fixture), join(web, file));
  copyFileSync(new URL('browser-entries.ts', fixture), join(web, 'browser-entries.ts'));
  writeFileSync(join(web, 'vite.config.js'), viteConfig);

  for (const [name, command, args] of [
    ['tsc (page)', 'node_modules/.bin/tsc', ['-p', 'web']],
    ['vite build', 'node_modules/.bin/vite', ['build', 'web']],
  ] as const) {
    const since = Date.now();
    console.log(`--- ${name}: ${command} ${args.join(' ')}`);
    const { status, output } = project.run(command, args);
    if (status !== 0) return [`${name}: exit ${status}`];
    const warnings = output.split('\n').filter((line) => WARNING.test(line));
    if (warnings.length > 0) return warnings.map((line) => `${name} warned: ${line.trim()}`);
    stage(name, since);
  }

  const since = Date.now();
  const failures = await loadPage(join(web, 'dist'));
  stage('page in Chromium', since);
  return failures;
}
