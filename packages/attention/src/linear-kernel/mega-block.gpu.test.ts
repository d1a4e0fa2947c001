import { decomposeExtensionOps, input, makeGraph } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { compile } from '@weft/runtime';
import { getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import { denseMegaBlock } from '../../test/dense-mega-block.js';
import { megaBlockValues } from '../../test/mega-block-values.js';
import { attention } from '../kernels.js';
import { type MegaBlockOptions, megaBlock } from '../linear/mega-block.js';
import { linearAttentionExtension } from '../linear-kernels.js';

// f32 kernels vs float64: a LayerNorm, two damped 16-step EMA sweeps over 4 components (a device
// exp per gate product inside a chunk), four projections, one attention row of 16 keys (erf for
// laplace) and SiLU/σ gates; 1e-5 is the f32 budget of the error-budget guide.
const TOLERANCE = 1e-5;
const SEED = Math.floor(Math.random() * 2 ** 30);
const SHAPE = { batch: 2, length: 16, width: 8, zDim: 8, hDim: 16, components: 4 };
const measured: string[] = [];
afterAll(() => console.log(`Mega block on the device vs float64 (seed ${SEED})\n${measured.join('\n')}`));

describe("Mega's moving-average gated attention block on a WebGPU device", () => {
  it.each([
    ['softmax, bidirectional EMA', { bidirectional: true }],
    ['softmax, causal', { causal: true }],
    ['laplace, bidirectional EMA', { attentionFunction: 'laplace', bidirectional: true }],
    ['relu², causal, post-norm', { attentionFunction: 'relu2', causal: true, prenorm: false }],
  ] as const)(
    '%s: chunked and quadratic EMA forms = the dense block formula within 1e-5',
    async (label, options: Omit<MegaBlockOptions, 'name' | 'zDim' | 'hDim' | 'components'>) => {
      const { device } = await getTestDevice();
      const { batch, length, width, ...sizes } = SHAPE;
      const graph = makeGraph({
        output: megaBlock(input('x', [batch, length, width]), {
          name: 'mega',
          chunkSize: 8,
          ...sizes,
          ...options,
        }),
      });
      const values = megaBlockValues(graph, SEED + label.length * 1000);
      const { x, ...params } = values;
      const expected = denseMegaBlock(values, 'mega', { ...SHAPE, ...options });
      for (const [form, formGraph] of [
        ['chunked', graph],
        ['quadratic', decomposeExtensionOps(graph)],
      ] as const) {
        const program = await compile(formGraph, {
          device,
          params,
          extensions: [attention, linearAttentionExtension],
        });
        try {
          const output = (await program.run({ x: x! }, { poisonOutputs: true })).output!.data;
          const error = relativeError(output, expected);
          measured.push(
            `  ${label}, ${form}: ${error.toExponential(2)} vs f64, ${program.stats.kernels} kernels`,
          );
          expect(error).toBeLessThan(TOLERANCE);
        } finally {
          program.destroy();
        }
      }
    },
    120_000,
  );
});
