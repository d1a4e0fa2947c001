// Flags that give headless Chromium a WebGPU adapter on machines without a GPU (SwiftShader),
// and keep it off the network. Shared by the browser tests and the browser demo.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * @param {{ playwright?: boolean }} [options] with `playwright: true`, leave out the flags that
 *   playwright sets itself (headless mode, a fresh profile folder).
 * @returns {string[]}
 */
export function chromiumWebGpuArgs(options = {}) {
  const webgpu = [
    '--no-sandbox',
    '--enable-unsafe-webgpu',
    '--use-webgpu-adapter=swiftshader',
    '--enable-features=Vulkan',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ];
  if (options.playwright) return webgpu;
  return ['--headless=new', ...webgpu, `--user-data-dir=${mkdtempSync(join(tmpdir(), 'weft-chromium-'))}`];
}
