import {
  applyAttention,
  attention,
  attentionOpForNormalizer,
  causal,
  type Normalizer,
} from '@weft/attention';
import { attentionExtension, attention as attentionKernels } from '@weft/attention/kernels';
import {
  decomposeExtensionOps,
  graphFromJSON,
  graphToJSON,
  input,
  interpret,
  makeGraph,
  type Tensor64,
} from '@weft/ir';
import { randomTensor } from '@weft/ir/test';
import { generateGraphKernels } from '@weft/runtime';
import { DEFAULT_DEVICE_PROFILE } from '@weft/wgsl';
import { describe, expect, it } from 'vitest';
import { normwiseError } from '../fuzz/run-device-case.js';
import { runFused } from './run-fused.js';
import { reluAttention, userSoftmax } from './user-normalizers.js';

const [HEADS, HEAD_DIM, VALUE_DIM] = [2, 16, 8];

/** A call: queries and keys, causal (aligned bottom-right) or not. */
interface Shape {
  readonly name: string;
  readonly queries: number;
  readonly keys: number;
  readonly causal: boolean;
}

const SHAPES: readonly Shape[] = [
  { name: 'causal prefill', queries: 37, keys: 37, causal: true },
  // One query over 96 keys: the split-keys (decoding) kernel, through the split hooks.
  { name: 'decoding', queries: 1, keys: 96, causal: false },
];

/** Dense float64 attention written from the definitions: `weights(kept scores, Nk)` per row. */
function dense(
  q: Tensor64,
  k: Tensor64,
  v: Tensor64,
  shape: Shape,
  weights: (scores: readonly number[], keys: number) => number[],
): Float64Array {
  const { queries, keys } = shape;
  const out = new Float64Array(HEADS * queries * VALUE_DIM);
  for (let h = 0; h < HEADS; h++)
    for (let i = 0; i < queries; i++) {
      const kept: number[] = [];
      const scores: number[] = [];
      for (let j = 0; j < keys; j++) {
        if (shape.causal && j > i + keys - queries) continue;
        let s = 0;
        for (let d = 0; d < HEAD_DIM; d++)
          s += q.data[(h * queries + i) * HEAD_DIM + d]! * k.data[(h * keys + j) * HEAD_DIM + d]!;
        kept.push(j);
        scores.push(s / Math.sqrt(HEAD_DIM));
      }
      const w = weights(scores, keys);
      kept.forEach((j, position) => {
        for (let e = 0; e < VALUE_DIM; e++)
          out[(h * queries + i) * VALUE_DIM + e]! += w[position]! * v.data[(h * keys + j) * VALUE_DIM + e]!;
      });
    }
  return out;
}

const NORMALIZERS: readonly {
  name: string;
  normalizer: () => Normalizer;
  weights: (scores: readonly number[], keys: number) => number[];
}[] = [
  {
    name: 'ReLU attention, relu(s)/Nk (rowLocalNormalizer)',
    normalizer: () => reluAttention(),
    weights: (scores, keys) => scores.map((s) => Math.max(s, 0) / keys),
  },
  {
    name: 'a user softmax with online max and sum (defineNormalizer)',
    normalizer: () => userSoftmax(),
    // Written without the max shift: the scores of random inputs are small.
    weights: (scores) => {
      const total = scores.reduce((sum, s) => sum + Math.exp(s), 0);
      return scores.map((s) => Math.exp(s) / total);
    },
  },
];

describe.each(NORMALIZERS)('a user-defined normalizer: $name', ({ normalizer, weights }) => {
  describe.each(SHAPES)('$name', (shape) => {
    const graph = makeGraph({
      out: applyAttention(
        attention({
          heads: HEADS,
          headDim: HEAD_DIM,
          valueDim: VALUE_DIM,
          normalizer: normalizer(),
          ...(shape.causal ? { mask: causal() } : {}),
        }),
        {
          query: input('q', [1, HEADS, shape.queries, HEAD_DIM]),
          key: input('k', [1, HEADS, shape.keys, HEAD_DIM]),
          value: input('v', [1, HEADS, shape.keys, VALUE_DIM]),
        },
      ).output,
    });
    const inputs = {
      q: randomTensor([1, HEADS, shape.queries, HEAD_DIM], { seed: 21 }),
      k: randomTensor([1, HEADS, shape.keys, HEAD_DIM], { seed: 22 }),
      v: randomTensor([1, HEADS, shape.keys, VALUE_DIM], { seed: 23 }),
    };
    const expected = dense(inputs.q, inputs.k, inputs.v, shape, weights);

    it('its float64 reference and its decomposition match the dense formula', () => {
      expect(expected.some((x) => x !== 0)).toBe(true);
      const reference = interpret(graph, { inputs }).out!.data;
      expect(normwiseError(reference, expected)).toBeLessThan(1e-12);
      const decomposed = interpret(decomposeExtensionOps(graph), { inputs }).out!.data;
      expect(normwiseError(decomposed, expected)).toBeLessThan(1e-12);
    });

    it('its nodes carry their own op, which a saved graph finds again through the extension', () => {
      const node = graph.outputs.out!;
      expect(node.def).toBe(attentionOpForNormalizer(normalizer().def));
      const saved = JSON.stringify(graphToJSON(graph));
      // Loading names the normalizer it does not know, until the extension is given it.
      expect(() => graphFromJSON(saved, { extensions: [attentionKernels] })).toThrow(/unknown normalizer/);
      const extension = attentionExtension({ normalizers: [normalizer().def] });
      const rebuilt = graphFromJSON(saved, { extensions: [extension] });
      expect(rebuilt.outputs.out!.def).toBe(node.def);
      expect(normwiseError(interpret(rebuilt, { inputs }).out!.data, expected)).toBeLessThan(1e-12);
    });

    it('generates the kernel its shape calls for', () => {
      const wgsl = generateGraphKernels(graph, DEFAULT_DEVICE_PROFILE, { extensions: [attentionKernels] })
        .kernels[0]!.wgsl;
      // The split-keys kernel merges partials kept in workgroup memory.
      expect(wgsl.includes('part_acc')).toBe(shape.queries === 1);
    });

    it('runs fused on the device within the f32 budget (1e-5 normwise)', async () => {
      const { out, kernels } = await runFused(graph, inputs, [attentionKernels]);
      expect(kernels).toBe(1);
      expect(normwiseError(out, expected)).toBeLessThan(1e-5);
    });
  });
});
