import { input, interpret, makeGraph } from '@weft/ir';
import { randomTensor } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import { runKernels } from '../test/run-kernels.js';
import { applyAttention, attention, qkNorm } from './index.js';

// The fused kernel's own QK norm (row-code) uses the statistics of @weft/norms: rows near 1e20 are
// scaled before squaring (x² would overflow f32 to ∞ and the row come out 0), and LayerNorm's mean
// is corrected once (rows offset by 300).
const SHAPE = [1, 2, 6, 8] as const;

describe('the fused kernel normalizes Q and K rows near 1e20 and offset by 300', () => {
  for (const kind of ['rms', 'layer', 'l2'] as const) {
    it(`${kind}: within 1e-5 of float64`, async () => {
      const spec = attention({ heads: 2, kvHeads: 2, headDim: 8, qkNorm: qkNorm({ kind, scale: 'none' }) });
      const graph = makeGraph({
        out: applyAttention(spec, {
          query: input('q', [...SHAPE]),
          key: input('k', [...SHAPE]),
          value: input('v', [...SHAPE]),
        }).output,
      });
      const { device } = await getTestDevice();
      for (const [scale, offset] of [
        [1e20, 0],
        [1, 300],
      ] as const) {
        const shifted = (seed: number) =>
          Float32Array.from(randomTensor([...SHAPE], { seed }).data, (value) => value * scale + offset);
        const inputs = {
          q: shifted(1),
          k: shifted(2),
          v: Float32Array.from(randomTensor([...SHAPE], { seed: 3 }).data),
        };
        const expected = interpret(graph, { inputs }).out!.data;
        const { outputs, kernels } = await runKernels(device, graph, inputs, {});
        expect(kernels).toBe(1);
        let worst = 0;
        let size = 0;
        expected.forEach((value, index) => {
          worst = Math.max(worst, Math.abs(outputs.out![index]! - value));
          size = Math.max(size, Math.abs(value));
        });
        expect(worst / size, `${kind} at scale ${scale}, offset ${offset}`).toBeLessThan(1e-5);
      }
    });
  }
});
