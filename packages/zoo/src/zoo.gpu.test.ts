import { expectMatchesReference, getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import { ZOO } from './zoo.js';
import { ZOO_EXTENSIONS } from './zoo-extensions.js';

const measured: string[] = [];
afterAll(() => {
  console.log(`zoo on the device vs float64 (normwise relative error, kernels)\n${measured.join('\n')}`);
});

describe('every zoo entry on a WebGPU device', () => {
  it.each(ZOO.map((entry) => [entry.id, entry] as const))(
    '%s matches the float64 reference',
    async (_, entry) => {
      const weft = await getTestDevice();
      const { graph, inputs, params, dims } = entry.build();
      // Elementwise: |actual − expected| ≤ tolerance · (1 + |expected|) on O(1) outputs; then the
      // entry's own bound on the normwise error, which is what `pnpm zoo` reports.
      const { worstRelativeError, program } = await expectMatchesReference(graph, weft, {
        inputs,
        params,
        dims,
        extensions: ZOO_EXTENSIONS,
        rtol: entry.tolerance,
        atol: entry.tolerance,
        label: entry.id,
      });
      const kernels = program.stats.kernels;
      program.destroy();
      measured.push(`  ${entry.id.padEnd(34)} ${worstRelativeError.toExponential(2)}  ${kernels} kernel(s)`);
      expect(worstRelativeError).toBeLessThanOrEqual(entry.tolerance);
      expect(kernels).toBeGreaterThan(0);
    },
  );
});
