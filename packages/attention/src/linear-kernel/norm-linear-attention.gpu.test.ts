import { decomposeExtensionOps, input, makeGraph } from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import { denseNormLinearAttention } from '../../test/dense-norm-linear-attention.js';
import { runKernels } from '../../test/run-kernels.js';
import { lightningLinearDecay } from '../linear/linear-decay.js';
import { normLinearAttention } from '../linear/norm-linear-attention.js';
import { linearAttentionExtension } from '../linear-kernels.js';

// f32 kernels vs float64: two 32-wide projections, 13 decayed LRPE terms (cos/sin of angles up to
// 13 rad, f32 argument rounding near 1e-6 relative), an SRMSNorm and the gate; 1e-5 is the f32
// budget of the error-budget guide.
const TOLERANCE = 1e-5;
const SEED = Math.floor(Math.random() * 2 ** 30);
const SIZES = { batch: 2, length: 13, heads: 2, headDim: 8 };
const measured: string[] = [];
afterAll(() =>
  console.log(`NormLinearAttention on the device vs float64 (seed ${SEED})\n${measured.join('\n')}`),
);

describe("TransNormerLLM's NormLinearAttention token mixer on a WebGPU device", () => {
  it('chunked and quadratic forms = the dense token mixer within 1e-5', async () => {
    const { device } = await getTestDevice();
    const { batch, length, heads, headDim } = SIZES;
    const width = heads * headDim;
    const draw = (shape: number[], seed: number, min: number, max: number) =>
      Float32Array.from(randomTensor(shape, { seed: SEED + seed, min, max }).data);
    const bound = 1 / Math.sqrt(width);
    const values = {
      x: draw([batch, length, width], 1, -1, 1),
      'mixer.qkvu.weight': draw([width, 4 * width], 2, -bound, bound),
      'mixer.out.weight': draw([width, width], 3, -bound, bound),
      'mixer.lrpe.theta': draw([heads, headDim], 4, 0.05, 1),
    };
    const graph = makeGraph({
      output: normLinearAttention(input('x', [batch, length, width]), {
        name: 'mixer',
        heads,
        layer: 1,
        layers: 4,
        chunkSize: 4,
      }),
    });
    const expected = denseNormLinearAttention(
      SIZES,
      values.x,
      {
        qkvu: values['mixer.qkvu.weight'],
        out: values['mixer.out.weight'],
        theta: values['mixer.lrpe.theta'],
      },
      lightningLinearDecay(heads, 1, 4).rates,
    );
    for (const [form, formGraph] of [
      ['chunked', graph],
      ['quadratic', decomposeExtensionOps(graph)],
    ] as const) {
      const { outputs, kernels } = await runKernels(
        device,
        formGraph,
        values,
        {},
        {
          extensions: [linearAttentionExtension],
        },
      );
      const error = relativeError(outputs.output!, expected);
      measured.push(`  ${form}: ${error.toExponential(2)} vs f64, ${kernels} kernels`);
      expect(error).toBeLessThan(TOLERANCE);
    }
  }, 120_000);
});
