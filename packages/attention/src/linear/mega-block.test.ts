import { decomposeExtensionOps, input, interpret, makeGraph, ShapeError, SpecError } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { denseMegaBlock } from '../../test/dense-mega-block.js';
import { denseMegaEma } from '../../test/dense-mega-ema.js';
import { megaBlockValues } from '../../test/mega-block-values.js';
import { seeded } from '../catalog/seeded-values.js';
import { applyMegaBlock, type MegaBlockOptions, megaBlock, megaBlockStateInputs } from './mega-block.js';
import { megaEma } from './mega-ema.js';

const F64 = 1e-12;
const SHAPE = { batch: 2, length: 9, width: 6, zDim: 4, hDim: 8, components: 3 };

function check(options: Omit<MegaBlockOptions, 'name' | 'zDim' | 'hDim' | 'components'>, seed: number) {
  const { batch, length, width, ...sizes } = SHAPE;
  const output = megaBlock(input('x', [batch, length, width]), {
    name: 'mega',
    chunkSize: 4,
    ...sizes,
    ...options,
  });
  const graph = makeGraph({ output });
  const values = megaBlockValues(graph, seed);
  const { x, ...params } = values;
  const expected = denseMegaBlock(values, 'mega', { ...SHAPE, ...options });
  const chunked = interpret(graph, { inputs: { x: x! }, params }).output!.data;
  const quadratic = interpret(decomposeExtensionOps(graph), { inputs: { x: x! }, params }).output!.data;
  return { chunked: relativeError(chunked, expected), quadratic: relativeError(quadratic, expected) };
}

describe("Mega's moving-average gated attention block, float64", () => {
  it("the bidirectional EMA = fairseq's two-sided kernel (forward j ≤ t, backward j ≥ t, own parameters)", () => {
    const sizes = { batch: 2, length: 11, channels: 3, components: 4 };
    const { batch: B, length: L, channels: D, components: N } = sizes;
    const params = {
      'ema.delta': seeded(2 * D * N, 11),
      'ema.alpha': seeded(2 * D * N, 12),
      'ema.beta': seeded(2 * D * N, 13),
      'ema.gamma': seeded(2 * D * N, 14),
      'ema.omega': seeded(D, 15),
    };
    const x = seeded(B * L * D, 1);
    const graph = makeGraph({
      output: megaEma(input('x', [B, L, D]), {
        name: 'ema',
        components: N,
        bidirectional: true,
        chunkSize: 4,
      }).output,
    });
    const expected = denseMegaEma({ ...sizes, bidirectional: true }, x, {
      delta: params['ema.delta'],
      alpha: params['ema.alpha'],
      beta: params['ema.beta'],
      gamma: params['ema.gamma'],
      omega: params['ema.omega'],
    });
    expect(relativeError(interpret(graph, { inputs: { x }, params }).output!.data, expected)).toBeLessThan(
      F64,
    );
    const quadratic = interpret(decomposeExtensionOps(graph), { inputs: { x }, params }).output!.data;
    expect(relativeError(quadratic, expected)).toBeLessThan(F64);
  });

  it.each([
    ['softmax, bidirectional EMA, pre-norm', { bidirectional: true }],
    ['softmax, causal', { causal: true }],
    ['laplace, bidirectional EMA', { attentionFunction: 'laplace', bidirectional: true }],
    ['laplace, causal (1/n visible keys)', { attentionFunction: 'laplace', causal: true }],
    [
      'relu², post-norm, a longer position table',
      { attentionFunction: 'relu2', prenorm: false, maxPositions: 12 },
    ],
    // fairseq's chunked attention (Mega-chunk): chunks of 4 over 9 positions (the last one partial).
    ['softmax, causal, attention chunks of 4', { causal: true, attentionChunk: 4 }],
    [
      'laplace, causal, attention chunks of 4',
      { attentionFunction: 'laplace', causal: true, attentionChunk: 4 },
    ],
    [
      'relu², bidirectional, attention chunks of 4',
      { attentionFunction: 'relu2', bidirectional: true, attentionChunk: 4 },
    ],
  ] as const)('%s: the graph (chunked and quadratic EMA) = the dense block formula', (_, options) => {
    const errors = check(options, 100);
    expect(errors.chunked).toBeLessThan(F64);
    expect(errors.quadratic).toBeLessThan(F64);
  });

  it.each(['softmax', 'laplace', 'relu2'] as const)(
    '%s, causal: a prefill with returnState, then one-position steps on the EMA h and the KV cache = the dense block',
    (attentionFunction) => {
      const { batch, length, width, ...sizes } = SHAPE;
      const options = { name: 'mega', ...sizes, causal: true, attentionFunction, maxPositions: length };
      const prefix = length - 3;
      const prefill = applyMegaBlock(input('x', [batch, prefix, width]), { ...options, returnState: true });
      const state = prefill.state!;
      const graph = makeGraph({
        output: prefill.output,
        'mega.ema': state.ema,
        'mega.keys': state.keys,
        'mega.values': state.values,
      });
      const whole = makeGraph({ output: megaBlock(input('x', [batch, length, width]), options) });
      const values = megaBlockValues(whole, 300);
      const { x, ...params } = values;
      const rows = (from: number, to: number) => {
        const out = new Float64Array(batch * (to - from) * width);
        for (let b = 0; b < batch; b++)
          out.set(
            x!.subarray((b * length + from) * width, (b * length + to) * width),
            b * (to - from) * width,
          );
        return out;
      };
      const outputs: Float64Array[] = [];
      let results = interpret(graph, { inputs: { x: rows(0, prefix) }, params });
      outputs.push(Float64Array.from(results.output!.data));
      for (let t = prefix; t < length; t++) {
        const step = applyMegaBlock(input('x', [batch, 1, width]), {
          ...options,
          state: megaBlockStateInputs(batch, width, t, options),
        });
        expect(step.state!.keys.shape).toEqual([batch, 1, t + 1, SHAPE.zDim]);
        const stepGraph = makeGraph({
          output: step.output,
          'mega.ema': step.state!.ema,
          'mega.keys': step.state!.keys,
          'mega.values': step.state!.values,
        });
        results = interpret(stepGraph, {
          inputs: {
            x: rows(t, t + 1),
            'mega.ema': results['mega.ema']!.data,
            'mega.keys': results['mega.keys']!.data,
            'mega.values': results['mega.values']!.data,
          },
          params,
        });
        outputs.push(Float64Array.from(results.output!.data));
      }
      // Reassemble [B, L, D] from the prefill [B, L − 3, D] and the steps [B, 1, D].
      const stepped = new Float64Array(batch * length * width);
      for (let b = 0; b < batch; b++) {
        stepped.set(outputs[0]!.subarray(b * prefix * width, (b + 1) * prefix * width), b * length * width);
        for (let s = 1; s < outputs.length; s++)
          stepped.set(
            outputs[s]!.subarray(b * width, (b + 1) * width),
            (b * length + prefix + s - 1) * width,
          );
      }
      const expected = denseMegaBlock(values, 'mega', { ...SHAPE, causal: true, attentionFunction });
      expect(relativeError(stepped, expected)).toBeLessThan(F64);
    },
  );

  it('bad input is named', () => {
    const x = input('x', [1, 8, 6]);
    const sizes = { name: 'mega', zDim: 4, hDim: 8, components: 3 };
    expect(() => megaBlock(input('x', [8, 6]), sizes)).toThrow(ShapeError);
    expect(() => megaBlock(x, { ...sizes, zDim: 0 })).toThrow(/Mega block "mega": zDim/);
    expect(() => megaBlock(x, { ...sizes, causal: true, bidirectional: true })).toThrow(SpecError);
    expect(() => megaBlock(x, { ...sizes, maxPositions: 4 })).toThrow(/maxPositions/);
    expect(() => megaBlock(x, { ...sizes, attentionFunction: 'gelu' as unknown as 'softmax' })).toThrow(
      /unknown attention function/,
    );
    expect(() => megaEma(x, { name: 'ema', components: 3, bidirectional: true, returnState: true })).toThrow(
      /non-causal/,
    );
  });
});
