import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumWebGpuArgs } from '../../chromium-flags.js';

const contentTypes: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
};

/**
 * Serves the folder `dist` (its `index.html` at `/`) at an https origin (WebGPU is for secure
 * contexts), loads it in headless Chromium and waits for the page's `#report` element to get a
 * `data-status`. Returns the failures: a page error, a timeout, or a status other than `ok`.
 */
export async function loadPage(dist: string): Promise<string[]> {
  const files = new Map<string, Buffer>();
  const collect = (folder: string, prefix: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.isDirectory()) collect(join(folder, entry.name), `${prefix}${entry.name}/`);
      else files.set(`/${prefix}${entry.name}`, readFileSync(join(folder, entry.name)));
    }
  };
  collect(dist, '');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: chromiumWebGpuArgs({ playwright: true }),
  });
  const failures: string[] = [];
  try {
    const page = await browser.newPage();
    page.on('pageerror', (error) => failures.push(`page error: ${error.message}`));
    await page.route('https://weft.test/**', (route) => {
      const path = new URL(route.request().url()).pathname;
      const body = files.get(path === '/' ? '/index.html' : path);
      return body === undefined
        ? route.fulfill({ status: 404, body: `no ${path}` })
        : route.fulfill({
            contentType: contentTypes[extname(path) || '.html'] ?? 'application/octet-stream',
            body,
          });
    });
    await page.goto('https://weft.test/');
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
