import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { launchWebGpuChromium, PAGE_ORIGIN, serveFolder } from '../../pack/chromium-page.js';
import type { BrowserBenchConfig, BrowserBenchReport } from './page-config.js';

/** The folder of the page (index.html, page.ts). */
const pageRoot = dirname(fileURLToPath(import.meta.url));
/** Where the page serves onnxruntime-web's wasm files from. */
const ORT_FOLDER = 'ort';

/**
 * `pnpm bench --browser`: builds the benchmark page with Vite (the workspace packages from their
 * sources), serves it to headless Chromium (WebGPU on the browser's own adapter: SwiftShader where
 * there is no GPU), runs the cases there and returns the page's report. The page's log lines are
 * printed as they come.
 */
export async function runBenchInChromium(
  config: Omit<BrowserBenchConfig, 'ortWasmPaths'>,
): Promise<Exclude<BrowserBenchReport, { error: string }>> {
  const outDir = mkdtempSync(join(tmpdir(), 'weft-bench-page-'));
  try {
    console.log('Building the benchmark page (Vite)…');
    await buildBenchPage(outDir);
    const browser = await launchWebGpuChromium();
    try {
      const page = await browser.newPage();
      page.on('console', (message) => {
        if (message.type() === 'log') console.log(message.text());
      });
      let pageError: Error | undefined;
      page.on('pageerror', (error) => {
        pageError = error;
      });
      await serveFolder(page, outDir);
      const hash = encodeURIComponent(JSON.stringify({ ...config, ortWasmPaths: `/${ORT_FOLDER}/` }));
      await page.goto(`${PAGE_ORIGIN}#${hash}`);
      // Every case on SwiftShader takes many minutes: no timeout but the page's own end.
      await page.waitForFunction(() => 'weftBenchReport' in globalThis, undefined, {
        timeout: 0,
        polling: 1000,
      });
      const report = (await page.evaluate(
        () => (globalThis as { weftBenchReport?: unknown }).weftBenchReport,
      )) as BrowserBenchReport;
      if ('error' in report) throw new Error(`the benchmark page failed: ${report.error}`);
      if (pageError !== undefined) console.warn(`page error (the run finished): ${pageError.message}`);
      return report;
    } finally {
      await browser.close();
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/**
 * Builds the benchmark page into `outDir` with Vite (the workspace packages from their TypeScript
 * sources, browser entry points) and copies onnxruntime-web's wasm files into its `ort/` folder.
 */
export async function buildBenchPage(outDir: string): Promise<void> {
  await build({
    root: pageRoot,
    configFile: false,
    // The bench cases import the packages dynamically as well as statically; Rolldown's notice
    // about it (the chunk stays one) is expected.
    logLevel: 'error',
    resolve: { conditions: ['@weft/source', 'browser', 'module', 'import', 'default'] },
    build: { outDir, emptyOutDir: true, target: 'esnext', chunkSizeWarningLimit: 100_000 },
  });
  copyOrtWasm(join(outDir, ORT_FOLDER));
}

/** onnxruntime-web's wasm builds (and their loaders), which it fetches at run time. */
function copyOrtWasm(folder: string): void {
  // The package's main entry lies in its dist folder (its exports do not list package.json).
  const dist = dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
  mkdirSync(folder, { recursive: true });
  for (const file of readdirSync(dist)) {
    if (file.startsWith('ort-wasm') && (file.endsWith('.wasm') || file.endsWith('.mjs')))
      copyFileSync(join(dist, file), join(folder, file));
  }
}
