import { input, makeGraph } from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import { denseLln, type LlnSizes } from '../../test/dense-lln.js';
import { compileLinear, runLinear } from '../../test/run-linear.js';
import { applyLinearAttention } from '../linear/apply-linear-attention.js';
import { identity } from '../linear/feature-maps.js';
import { linearAttention } from '../linear/linear-attention-spec.js';
import { llnFeatures } from '../linear/lln-features.js';

// f32 kernels vs float64: features exp(·) ≤ 1 after the max subtraction (the device's exp adds a
// few ulps), moment-matching statistics over 2·2·21·8 elements, ratios of sums of at most 21
// positive weights; measured near 3e-7. 1e-5 is the f32 budget of the error-budget guide.
const TOLERANCE = 1e-5;
const SEED = Math.floor(Math.random() * 2 ** 30);
const measured: string[] = [];
afterAll(() => console.log(`LLN attention on the device vs float64 (seed ${SEED})\n${measured.join('\n')}`));

const SIZES: LlnSizes = { batch: 2, heads: 2, length: 21, headDim: 8, valueDim: 12 };
const { batch: B, heads: H, length: N, headDim: D, valueDim: E } = SIZES;

describe(`LLN attention (catalog #17) on a WebGPU device (seed ${SEED})`, () => {
  it('non-causal state form and causal chunk sweep match the paper', async () => {
    const { device } = await getTestDevice();
    const values = {
      q: randomTensor([B, H, N, D], { seed: SEED + 1, min: -2, max: 2 }).data,
      k: randomTensor([B, H, N, D], { seed: SEED + 2 }).data,
      v: randomTensor([B, H, N, E], { seed: SEED + 3 }).data,
    };
    for (const causal of [false, true]) {
      const spec = linearAttention({
        heads: H,
        headDim: D,
        valueDim: E,
        featureMap: identity(),
        featureExpansion: llnFeatures(),
        denominator: { epsilon: 1e-8 },
        causal,
        chunkSize: 8,
        name: 'lln',
      });
      const { output } = applyLinearAttention(spec, {
        query: input('q', [B, H, N, D]),
        key: input('k', [B, H, N, D]),
        value: input('v', [B, H, N, E]),
      });
      const program = await compileLinear(device, makeGraph({ output }));
      const result = (await runLinear(program, values)).output!;
      const kernels = program.stats.kernels;
      program.destroy();
      const expected = denseLln(SIZES, values.q, values.k, values.v, { epsilon: 1e-8, causal });
      const error = relativeError(result, expected);
      measured.push(
        `  ${causal ? 'causal, chunks of 8' : 'non-causal state form'}: ${error.toExponential(2)}, ${kernels} kernels`,
      );
      expect(error).toBeLessThan(TOLERANCE);
    }
  });
});
