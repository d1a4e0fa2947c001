import { fileURLToPath } from 'node:url';
import { getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import { runWeft as weft } from './test-support/run-weft.js';

// `weft run --precision` on the WebGPU adapter (SwiftShader here): f16-emulated with f16 storage
// compiles and generates; `--precision f16` on an adapter without `shader-f16` is refused with the
// flag and the missing feature named. The numerics of the f16 tier are checked against float64 in
// `packages/models/src/model/half-storage.gpu.test.ts`.
const tiny = fileURLToPath(new URL('../examples/tiny-decoder.json', import.meta.url));
const LOADED_MACHINE_TIMEOUT_MS = 300_000;

describe('weft run --precision on the device', async () => {
  const { device } = await getTestDevice();
  const hasF16 = device.features.has('shader-f16');

  it('--precision f16-emulated --half-storage generates, and says how it stores', {
    timeout: LOADED_MACHINE_TIMEOUT_MS,
  }, async () => {
    const run = await weft('run', tiny, '--precision', 'f16-emulated', '--half-storage', '--tokens', '2');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/backend: WebGPU, \d+ kernels/);
    expect(run.stdout).toContain('precision f16-emulated, f16 storage of the intermediates and weights');
    expect(run.stdout).toMatch(/generated \(2, maxTokens\): \d+ \d+$/m);
  });

  it.skipIf(hasF16)(
    '--precision f16 without shader-f16 is refused, naming the flag and the feature',
    {
      timeout: LOADED_MACHINE_TIMEOUT_MS,
    },
    async () => {
      const run = await weft('run', tiny, '--precision', 'f16', '--tokens', '2');
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("--precision f16 needs an adapter with the 'shader-f16' feature");
      expect(run.stderr).toContain('--precision f16-emulated');
      expect(run.stdout).not.toContain('generated');
    },
  );

  if (!hasF16)
    console.warn('weft run --precision f16: the run itself skipped, the adapter has no `shader-f16`');
  it.skipIf(!hasF16)(
    '--precision f16 generates with f16 storage by default',
    {
      timeout: LOADED_MACHINE_TIMEOUT_MS,
    },
    async () => {
      const run = await weft('run', tiny, '--precision', 'f16', '--tokens', '2');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('precision f16, f16 storage of the intermediates and weights');
    },
  );
});
