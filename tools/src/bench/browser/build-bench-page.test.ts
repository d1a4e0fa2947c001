import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildBenchPage } from './run-in-chromium.js';

describe('the page of pnpm bench --browser', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'weft-bench-page-test-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('builds with the cases, the peers and onnxruntime-web wasm files, and no Node module', async () => {
    await buildBenchPage(outDir);
    expect(existsSync(join(outDir, 'index.html'))).toBe(true);
    const wasm = readdirSync(join(outDir, 'ort')).filter((file) => file.endsWith('.wasm'));
    expect(wasm.length).toBeGreaterThan(0);
    const scripts = readdirSync(join(outDir, 'assets')).filter((file) => file.endsWith('.js'));
    const code = scripts.map((file) => readFileSync(join(outDir, 'assets', file), 'utf8')).join('\n');
    // The harness, tfjs-backend-webgpu and onnxruntime-web are in the bundle; Dawn's Node binding is not.
    expect(code).toContain('weft-unfused');
    expect(code).toContain('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE');
    expect(code).toContain('ort-wasm-simd-threaded');
    expect(code).not.toMatch(/from\s*["']webgpu["']|require\(["']webgpu["']\)/);
  }, 240_000);
});
