import { relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import { checkCatalogInstance, worst } from '../../test/check-catalog-entry.js';
import { denseRecurrentMemory } from '../../test/dense-recurrent-memory.js';
import { freshInputs } from '../../test/fresh-inputs.js';
import { runWithState } from '../../test/run-stateful.js';
import { RECURRENT_MEMORY_SHAPE, recurrentMemoryCatalogEntry } from './recurrent-memory-entry.js';
import { seeded } from './seeded-values.js';

/** f32 kernels vs float64: three softmax rows of ≤ 24 keys, two projections and a gated update (measured near 3e-7). */
const TOLERANCE = 1e-5;
/** The reference interpreter and the dense formula are both float64. */
const FLOAT64_TOLERANCE = 1e-12;

describe('recurrent memory stand-in (#93) on the device', () => {
  it.each([
    ['the catalog instance', undefined],
    ['fresh random inputs', Date.now() % 2_147_483_647],
  ] as const)(
    '%s matches the float64 formula written from the description',
    async (label, seed) => {
      const built = recurrentMemoryCatalogEntry.build();
      const instance = seed === undefined ? built : freshInputs(built, seed).instance;
      const check = await checkCatalogInstance(instance, (values) =>
        denseRecurrentMemory(values, RECURRENT_MEMORY_SHAPE),
      );
      console.log('recurrent memory', label, seed ?? '', check);
      expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
      expect(worst(check.deviceVersusReference)).toBeLessThan(TOLERANCE);
      expect(worst(check.deviceVersusDense)).toBeLessThan(TOLERANCE);
      // LayerNorm, the Q/K/V and memory projections, three attention kernels, the output
      // projection with the residual, the summary, the gate and the FIFO shift.
      expect(check.kernels).toBe(14);
    },
    120_000,
  );

  it('carries the memory bank across three calls on the device (program state), as the formula chains it', async () => {
    const { graph, params, inputs } = recurrentMemoryCatalogEntry.build();
    const { batch, length, width } = RECURRENT_MEMORY_SHAPE;
    const segments = [40, 41, 42].map((seed) => seeded(batch * length * width, seed));
    // The first call sets the bank; later calls read the one the previous call left on the device.
    const calls = segments.map((x, call) => (call === 0 ? { x, memory: inputs.memory! } : { x }));
    const { device } = await getTestDevice();
    const outputs = await runWithState(device, graph, params, { memory: 'memory' }, calls, 'output');
    let bank: ArrayLike<number> = inputs.memory!;
    segments.forEach((x, call) => {
      const expected = denseRecurrentMemory({ ...params, x, memory: bank }, RECURRENT_MEMORY_SHAPE);
      const error = relativeError(outputs[call]!, expected.output);
      console.log('recurrent memory call', call, error);
      expect(error).toBeLessThan(TOLERANCE);
      bank = expected.memory;
    });
  }, 120_000);
});
