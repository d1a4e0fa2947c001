import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { chromiumWebGpuArgs } from '../../chromium-flags.js';

const contentTypes: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
};

/**
 * Serves the folder `dist` (see {@link serveFolder}), loads it in headless Chromium and waits for the page's `#report` element to get a
 * `data-status`. Returns the failures: a page error, a timeout, or a status other than `ok`.
 */
export async function loadPage(dist: string): Promise<string[]> {
  const browser = await launchWebGpuChromium();
  const failures: string[] = [];
  try {
    const page = await browser.newPage();
    page.on('pageerror', (error) => failures.push(`page error: ${error.message}`));
    await serveFolder(page, dist);
    await page.goto(PAGE_ORIGIN);
    const report = page.locator('#report[data-status]');
    // SwiftShader compiles the kernel on the CPU: generous on a loaded machine.
    await report.waitFor({ timeout: 180_000 });
    const text = (await report.textContent()) ?? '';
    console.log(`page: ${text}`);
    if ((await report.getAttribute('data-status')) !== 'ok') failures.push(`the page reported: ${text}`);
  } catch (error) {
    failures.push(`page: ${String(error)}`);
  } finally {
    await browser.close();
  }
  return failures;
}

/** The https origin {@link serveFolder} serves at (WebGPU is for secure contexts). */
export const PAGE_ORIGIN = 'https://weft.test/';

/** Headless Chromium with WebGPU (SwiftShader where there is no GPU; flags in chromium-flags.js). */
export function launchWebGpuChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: chromiumWebGpuArgs({ playwright: true }),
  });
}

/** Answers the page's requests to {@link PAGE_ORIGIN} from the folder `dist` (`/` is its `index.html`). */
export async function serveFolder(page: Page, dist: string): Promise<void> {
  const files = new Map<string, Buffer>();
  const collect = (folder: string, prefix: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.isDirectory()) collect(join(folder, entry.name), `${prefix}${entry.name}/`);
      else files.set(`/${prefix}${entry.name}`, readFileSync(join(folder, entry.name)));
    }
  };
  collect(dist, '');
  await page.route(`${PAGE_ORIGIN}**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    const body = files.get(path === '/' ? '/index.html' : path);
    return body === undefined
      ? route.fulfill({ status: 404, body: `no ${path}` })
      : route.fulfill({
          contentType: contentTypes[extname(path) || '.html'] ?? 'application/octet-stream',
          body,
        });
  });
}
