import { decomposeExtensionOps, input, makeGraph } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import { denseMegaBlock } from '../../test/dense-mega-block.js';
import { megaBlockValues } from '../../test/mega-block-values.js';
import { runKernels } from '../../test/run-kernels.js';
import {
  applyMegaBlock,
  type MegaBlockOptions,
  megaBlock,
  megaBlockStateInputs,
} from '../linear/mega-block.js';
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
      const expected = denseMegaBlock(values, 'mega', { ...SHAPE, ...options });
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
        measured.push(`  ${label}, ${form}: ${error.toExponential(2)} vs f64, ${kernels} kernels`);
        expect(error).toBeLessThan(TOLERANCE);
      }
    },
    120_000,
  );

  it.each(['softmax', 'laplace'] as const)(
    '%s, causal decode: a prefill, then steps on the EMA h and KV cache each step returned = the dense block within 1e-5',
    async (attentionFunction) => {
      const { device } = await getTestDevice();
      const { batch, length, width, ...sizes } = SHAPE;
      const options = { name: 'mega', ...sizes, causal: true, attentionFunction, maxPositions: length };
      const whole = makeGraph({ output: megaBlock(input('x', [batch, length, width]), options) });
      const values = megaBlockValues(whole, SEED + attentionFunction.length * 7000);
      const { x, ...params } = values;
      const expected = denseMegaBlock(values, 'mega', { ...SHAPE, causal: true, attentionFunction });
      const rows = (from: number, to: number) => {
        const out = new Float32Array(batch * (to - from) * width);
        for (let b = 0; b < batch; b++)
          out.set(
            x!.subarray((b * length + from) * width, (b * length + to) * width),
            b * (to - from) * width,
          );
        return out;
      };
      const stateOutputs = (applied: ReturnType<typeof applyMegaBlock>) => ({
        output: applied.output,
        'mega.ema': applied.state!.ema,
        'mega.keys': applied.state!.keys,
        'mega.values': applied.state!.values,
      });
      const prefix = length - 3;
      const prefill = applyMegaBlock(input('x', [batch, prefix, width]), { ...options, returnState: true });
      let run = await runKernels(
        device,
        makeGraph(stateOutputs(prefill)),
        { ...params, x: rows(0, prefix) },
        {},
        {
          extensions: [linearAttentionExtension],
        },
      );
      const stepped = new Float64Array(batch * length * width);
      const place = (output: Float32Array, from: number, count: number) => {
        for (let b = 0; b < batch; b++)
          stepped.set(
            output.subarray(b * count * width, (b + 1) * count * width),
            (b * length + from) * width,
          );
      };
      place(run.outputs.output!, 0, prefix);
      const kernels = [run.kernels];
      for (let t = prefix; t < length; t++) {
        const step = applyMegaBlock(input('x', [batch, 1, width]), {
          ...options,
          state: megaBlockStateInputs(batch, width, t, options),
        });
        run = await runKernels(
          device,
          makeGraph(stateOutputs(step)),
          {
            ...params,
            x: rows(t, t + 1),
            'mega.ema': run.outputs['mega.ema']!,
            'mega.keys': run.outputs['mega.keys']!,
            'mega.values': run.outputs['mega.values']!,
          },
          {},
          { extensions: [linearAttentionExtension] },
        );
        place(run.outputs.output!, t, 1);
        kernels.push(run.kernels);
      }
      const error = relativeError(stepped, expected);
      measured.push(
        `  ${attentionFunction}, causal prefill + 3 decode steps: ${error.toExponential(2)} vs f64, kernels ${kernels.join('/')}`,
      );
      expect(error).toBeLessThan(TOLERANCE);
    },
    120_000,
  );
});
