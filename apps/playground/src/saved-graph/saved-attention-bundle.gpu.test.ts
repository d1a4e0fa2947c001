// A production bundle (Vite, tree-shaken, every package `sideEffects: false`) of a page module
// that loads a saved attention graph, run in headless Chromium on WebGPU. Vitest's browser mode
// serves unbundled modules, so it cannot show what a bundler drops; this test builds the bundle,
// and holds it to no build warning (no Node module may reach a browser bundle).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build, createLogger, type Logger } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';
import { chromiumWebGpuArgs } from '../../../../tools/chromium-flags.js';
import type { SavedGraphReport } from './fixtures/saved-graph-page.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = mkdtempSync(path.join(tmpdir(), 'weft-saved-graph-bundle-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Builds the page module; returns the bundle and every warning the build logged. */
async function bundlePage(): Promise<{ bundle: string; warnings: string[] }> {
  const warnings: string[] = [];
  const logger = createLogger('warn');
  logger.warn = (message) => warnings.push(message);
  logger.warnOnce = (message) => warnings.push(message);
  // Vite gives its browser warnings (a Node module externalized, ...) only to production builds,
  // which it recognises by NODE_ENV; Vitest sets it to `test`.
  const testEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await buildPage(logger);
  } finally {
    if (testEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = testEnv;
  }
  return { bundle: readFileSync(path.join(out, 'page.js'), 'utf8'), warnings };
}

function buildPage(logger: Logger) {
  return build({
    configFile: false,
    customLogger: logger,
    root: path.resolve(here, '../..'),
    resolve: { conditions: ['@weft/source', 'browser', 'module', 'import', 'default'] },
    build: {
      target: 'es2022',
      outDir: out,
      emptyOutDir: true,
      minify: true,
      lib: { entry: path.join(here, 'fixtures/saved-graph-page.ts'), formats: ['es'], fileName: 'page' },
    },
  });
}

describe('a production bundle of a page that loads a saved attention graph', () => {
  it('runs it in headless Chromium on WebGPU with the extension it names', async () => {
    const { bundle, warnings } = await bundlePage();
    expect(warnings).toEqual([]);
    const saved = readFileSync(path.join(here, 'fixtures/saved-attention-graph.json'), 'utf8');
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: chromiumWebGpuArgs({ playwright: true }),
    });
    try {
      const page = await browser.newPage();
      // An https origin: WebGPU is offered to secure contexts only.
      await page.route('https://weft.test/**', (route) => {
        const file = new URL(route.request().url()).pathname;
        return file === '/page.js'
          ? route.fulfill({ contentType: 'text/javascript', body: bundle })
          : route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>saved graph</title>' });
      });
      await page.goto('https://weft.test/');
      // A string, not a function: the test's own modules are transformed for Node, the page's are not.
      const report = (await page.evaluate(
        `import('https://weft.test/page.js').then((page) => page.runSavedGraph(${JSON.stringify(saved)}))`,
      )) as SavedGraphReport;
      expect(report.withoutExtension).toMatch(/unknown op "attention".*'@weft\/attention\/kernels'/);
      expect(report.kernelOps).toContain('attention');
      expect(report.worstError).toBeLessThan(1e-5);
    } finally {
      await browser.close();
    }
  }, 180_000);
});
