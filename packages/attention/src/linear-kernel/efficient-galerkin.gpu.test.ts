import { decomposeExtensionOps } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import {
  denseAaren,
  denseEfficientAttention,
  denseGalerkinAttention,
} from '../../test/dense-efficient-galerkin.js';
import { compileLinear, runLinear } from '../../test/run-linear.js';
import { LINEAR_ATTENTION_CATALOG } from '../linear/linear-catalog.js';

// f32 kernels vs float64: state sums of 24 products, softmax and LayerNorm rows of 16–24; 1e-5 is
// the f32 budget of the error-budget guide.
const TOLERANCE = 1e-5;
const SIZES = { batch: 1, heads: 4, length: 24, headDim: 16, valueDim: 16 };
const measured: string[] = [];
afterAll(() =>
  console.log(
    `Efficient Attention, Galerkin attention and Aaren on the device vs float64\n${measured.join('\n')}`,
  ),
);

const EXPECTED: Record<
  string,
  (inputs: Record<string, Float32Array>, params: Record<string, Float32Array>) => Float64Array
> = {
  aaren: (inputs, params) => denseAaren(SIZES, params['aaren.query']!, inputs.k!, inputs.v!),
  'efficient-attention': (inputs) => denseEfficientAttention(SIZES, inputs.q!, inputs.k!, inputs.v!),
  'galerkin-attention': (inputs, params) =>
    denseGalerkinAttention(SIZES, inputs.q!, inputs.k!, inputs.v!, {
      keyGain: params['galerkin.key.gamma']!,
      keyBias: params['galerkin.key.beta']!,
      valueGain: params['galerkin.value.gamma']!,
      valueBias: params['galerkin.value.beta']!,
    }),
};

describe('linear attention after input maps (Efficient, Galerkin, Aaren) on a WebGPU device', () => {
  it.each(Object.keys(EXPECTED))(
    '%s: the fused state form and the quadratic form = the paper’s formula',
    async (mechanism) => {
      const { device } = await getTestDevice();
      const { graph, inputs, params } = LINEAR_ATTENTION_CATALOG.find(
        (entry) => entry.mechanism === mechanism,
      )!.build();
      const expected = EXPECTED[mechanism]!(
        inputs as Record<string, Float32Array>,
        params as Record<string, Float32Array>,
      );
      for (const [form, built] of [
        ['fused', graph],
        ['quadratic', decomposeExtensionOps(graph)],
      ] as const) {
        const program = await compileLinear(device, built, undefined, params);
        const result = await runLinear(program, inputs);
        const error = relativeError(result.output!, expected);
        measured.push(`  ${mechanism}, ${form}: ${error.toExponential(2)}, ${program.stats.kernels} kernels`);
        program.destroy();
        expect(error).toBeLessThan(TOLERANCE);
      }
    },
  );
});
