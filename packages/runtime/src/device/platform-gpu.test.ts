import { readFileSync } from 'node:fs';
import { WeftError } from '@weft/ir';
import { describe, expect, it, vi } from 'vitest';

// As a bundler resolves it for a page (no `node` condition): the module that creates no GPU.
vi.mock('#platform-gpu', () => import('./browser-gpu.js'));

const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  imports: Record<string, Record<string, unknown>>;
};

describe('#platform-gpu, the one place the runtime reaches for Dawn', () => {
  it('resolves to Dawn only under the `node` condition, in the build and in the sources', () => {
    const entry = manifest.imports['#platform-gpu']!;
    expect(entry.node).toBe('./dist/device/node-gpu.js');
    expect(entry.default).toBe('./dist/device/browser-gpu.js');
    expect(entry['@weft/source']).toEqual({
      node: './src/device/node-gpu.ts',
      default: './src/device/browser-gpu.ts',
    });
    // The browser module and the code every entry loads name no Node module and not Dawn's binding.
    for (const file of ['browser-gpu.ts', 'request-weft-device.ts', 'platform-gpu.ts']) {
      const source = readFileSync(new URL(file, import.meta.url), 'utf8');
      expect(source, file).not.toMatch(/from '(node:|webgpu')|import\('(node:|webgpu')/);
    }
  });

  it('without navigator.gpu, the browser path refuses with no-webgpu instead of loading Dawn', async () => {
    const { requestWeftDevice } = await import('./request-weft-device.js');
    const refusal = requestWeftDevice();
    await expect(refusal).rejects.toThrow(WeftError);
    await expect(refusal).rejects.toThrow(/this environment has no WebGPU.*navigator\.gpu/);
  });
});
