import { applyAttention, attention, checkBlockRule, customMask, type Mask } from '@weft/attention';
import { attention as attentionKernels } from '@weft/attention/kernels';
import { input, interpret, makeGraph, type Tensor64 } from '@weft/ir';
import { randomTensor } from '@weft/ir/test';
import { generateGraphKernels } from '@weft/runtime';
import { DEFAULT_DEVICE_PROFILE } from '@weft/wgsl';
import { describe, expect, it } from 'vitest';
import { normwiseError } from '../fuzz/run-device-case.js';
import { runFused } from './run-fused.js';
import { windowedCausal } from './windowed-causal-mask.js';

const [HEADS, LENGTH, HEAD_DIM, VALUE_DIM, WINDOW] = [2, 37, 16, 8, 8];

/** Softmax attention under the windowed causal mask, written from its definition in float64. */
function denseWindowedCausal(q: Tensor64, k: Tensor64, v: Tensor64): Float64Array {
  const out = new Float64Array(HEADS * LENGTH * VALUE_DIM);
  for (let h = 0; h < HEADS; h++)
    for (let i = 0; i < LENGTH; i++) {
      const kept: { j: number; s: number }[] = [];
      for (let j = 0; j <= i; j++) {
        if (Math.floor(j / WINDOW) !== Math.floor(i / WINDOW)) continue;
        let s = 0;
        for (let d = 0; d < HEAD_DIM; d++)
          s += q.data[(h * LENGTH + i) * HEAD_DIM + d]! * k.data[(h * LENGTH + j) * HEAD_DIM + d]!;
        kept.push({ j, s: s / Math.sqrt(HEAD_DIM) });
      }
      const m = Math.max(...kept.map(({ s }) => s));
      const total = kept.reduce((sum, { s }) => sum + Math.exp(s - m), 0);
      for (const { j, s } of kept)
        for (let e = 0; e < VALUE_DIM; e++)
          out[(h * LENGTH + i) * VALUE_DIM + e]! +=
            (Math.exp(s - m) / total) * v.data[(h * LENGTH + j) * VALUE_DIM + e]!;
    }
  return out;
}

describe('a user-defined mask with a block rule (docs/guides/extending-weft.md)', () => {
  const mask = windowedCausal(WINDOW);
  const graphUnder = (under: Mask) =>
    makeGraph({
      out: applyAttention(
        attention({ heads: HEADS, kvHeads: HEADS, headDim: HEAD_DIM, valueDim: VALUE_DIM, mask: under }),
        {
          query: input('q', [1, HEADS, LENGTH, HEAD_DIM]),
          key: input('k', [1, HEADS, LENGTH, HEAD_DIM]),
          value: input('v', [1, HEADS, LENGTH, VALUE_DIM]),
        },
      ).output,
    });
  const graph = graphUnder(mask);
  const inputs = {
    q: randomTensor([1, HEADS, LENGTH, HEAD_DIM], { seed: 11 }),
    k: randomTensor([1, HEADS, LENGTH, HEAD_DIM], { seed: 12 }),
    v: randomTensor([1, HEADS, LENGTH, VALUE_DIM], { seed: 13 }),
  };

  it('its block rule agrees with its predicate on every tile of several tilings', () => {
    const lengths = { queries: LENGTH, keys: LENGTH };
    expect(() =>
      checkBlockRule(mask, lengths, [
        { query: 4, key: 4 },
        { query: 16, key: 16 },
        { query: 1, key: 32 },
        { query: 8, key: 64 },
      ]),
    ).not.toThrow();
  });

  it('puts the rule in the kernel, where a predicate alone gives none', () => {
    const wgslOf = (under: Mask) =>
      generateGraphKernels(graphUnder(under), DEFAULT_DEVICE_PROFILE, { extensions: [attentionKernels] })
        .kernels[0]!.wgsl;
    // Without a rule every tile is partial: \`let empty = false;\`.
    expect(wgslOf(mask)).toMatch(/let empty = (?!false;)/);
    expect(wgslOf(customMask(() => mask.predicate))).toMatch(/let empty = false;/);
  });

  it('its float64 reference matches the dense formula written from the definition', () => {
    const reference = interpret(graph, { inputs }).out!.data;
    expect(normwiseError(reference, denseWindowedCausal(inputs.q, inputs.k, inputs.v))).toBeLessThan(1e-12);
  });

  it('runs fused on the device within the f32 budget (1e-5 normwise), the rule in the kernel', async () => {
    const { out, kernels } = await runFused(graph, inputs, [attentionKernels]);
    expect(kernels).toBe(1);
    expect(normwiseError(out, denseWindowedCausal(inputs.q, inputs.k, inputs.v))).toBeLessThan(1e-5);
  });
});
