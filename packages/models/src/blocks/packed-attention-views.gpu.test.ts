import { type AttentionSpec, applyAttention, attention as attentionSpec, causal } from '@weft/attention';
import { attention } from '@weft/attention/kernels';
import {
  type Dim,
  type Graph,
  input,
  makeGraph,
  matmul,
  type Node,
  param,
  permute,
  reshape,
  slice,
  symbolicDim,
} from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { expectMatchesReference, getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * Attention reads packed `[B, N, H·d]` projections through their reshape and permute, and writes
 * merged heads `[B, N, H·d_v]` in place (the op's `viewOperands` / `writesThroughView`): no kernel
 * copies a view. f32 kernels vs float64: sums of at most 70 terms of O(1) values; 2e-5 relative
 * (measured errors are printed).
 */
const RTOL = 2e-5;
const errors: Record<string, number> = {};

interface Packed {
  readonly batch: number;
  readonly queries: number;
  readonly keys: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly headDim: number;
}

const heads = (x: Node, batch: Dim, length: Dim, count: number, headDim: number): Node =>
  permute(reshape(x, [batch, length, count, headDim]), [0, 2, 1, 3]);

/** Dense float64 attention on packed rows, written from the formula: softmax(q·kᵀ/√d [+ mask]) v per head. */
function densePacked(
  shape: Packed,
  q: Float64Array,
  k: Float64Array,
  v: Float64Array,
  causalMask: boolean,
): Float64Array {
  const { batch, queries, keys, heads: h, kvHeads, headDim: d } = shape;
  const out = new Float64Array(batch * queries * h * d);
  for (let b = 0; b < batch; b++) {
    for (let head = 0; head < h; head++) {
      const kvHead = Math.floor((head * kvHeads) / h);
      for (let i = 0; i < queries; i++) {
        const scores: number[] = [];
        for (let j = 0; j < keys; j++) {
          // Causal, aligned bottom-right: query i sees keys up to i + keys − queries.
          if (causalMask && j > i + keys - queries) continue;
          let dot = 0;
          for (let e = 0; e < d; e++)
            dot +=
              q[(b * queries + i) * h * d + head * d + e]! *
              k[(b * keys + j) * kvHeads * d + kvHead * d + e]!;
          scores.push(dot / Math.sqrt(d));
        }
        const max = Math.max(...scores);
        const weights = scores.map((s) => Math.exp(s - max));
        const total = weights.reduce((sum, w) => sum + w, 0);
        for (let e = 0; e < d; e++) {
          let value = 0;
          weights.forEach((w, j) => {
            value += w * v[(b * keys + j) * kvHeads * d + kvHead * d + e]!;
          });
          out[(b * queries + i) * h * d + head * d + e] = value / total;
        }
      }
    }
  }
  return out;
}

async function checkPacked(
  label: string,
  shape: Packed,
  causalMask: boolean,
  symbolic: boolean,
): Promise<void> {
  const { batch, queries, keys, heads: h, kvHeads, headDim: d } = shape;
  const nq: Dim = symbolic ? symbolicDim('nq', { max: 2 * queries }) : queries;
  const nk: Dim = symbolic ? symbolicDim('nk', { max: 2 * keys }) : keys;
  const spec: AttentionSpec = attentionSpec({
    heads: h,
    kvHeads,
    headDim: d,
    ...(causalMask ? { mask: causal() } : {}),
    name: 'mha',
  });
  const { output } = applyAttention(spec, {
    query: heads(input('query', [batch, nq, h * d]), batch, nq, h, d),
    key: heads(input('key', [batch, nk, kvHeads * d]), batch, nk, kvHeads, d),
    value: heads(input('value', [batch, nk, kvHeads * d]), batch, nk, kvHeads, d),
  });
  const graph = makeGraph({ output: reshape(permute(output, [0, 2, 1, 3]), [batch, nq, h * d]) });
  const q = randomTensor([batch, queries, h * d], { seed: 11 });
  const k = randomTensor([batch, keys, kvHeads * d], { seed: 12 });
  const v = randomTensor([batch, keys, kvHeads * d], { seed: 13 });
  const { device } = await getTestDevice();
  const { program, worstRelativeError } = await expectMatchesReference(graph, device, {
    inputs: { query: q, key: k, value: v },
    ...(symbolic ? { dims: { nq: queries, nk: keys } } : {}),
    rtol: RTOL,
    atol: 1e-6,
    extensions: [attention],
    label,
  });
  try {
    expect(
      program.plan.kernels.map((kernel) => kernel.template),
      label,
    ).toEqual(['attention']);
    const result = await program.run(
      { query: q.data, key: k.data, value: v.data },
      symbolic ? { dims: { nq: queries, nk: keys } } : {},
    );
    const dense = densePacked(shape, q.data, k.data, v.data, causalMask);
    errors[`${label} vs dense`] = relativeError(Array.from(result.output!.data), dense);
    errors[`${label} vs interpreter`] = worstRelativeError;
    expect(errors[`${label} vs dense`]!).toBeLessThan(RTOL);
  } finally {
    program.destroy();
  }
}

describe('attention on packed [B, N, H·d] operands, merged-heads output: one kernel', () => {
  afterAll(() => console.log('packed-view attention errors (relative, f32 vs float64):', errors));

  it('MHA B=2 N=19 H=3 d=8: Q, K, V read in place, output written as [B, N, H·d]', async () => {
    await checkPacked(
      'mha',
      { batch: 2, queries: 19, keys: 19, heads: 3, kvHeads: 3, headDim: 8 },
      false,
      false,
    );
  }, 120_000);

  it('causal GQA H=4 Hk=2 d=8, symbolic lengths Nq=13 Nk=21', async () => {
    await checkPacked(
      'gqa causal',
      { batch: 1, queries: 13, keys: 21, heads: 4, kvHeads: 2, headDim: 8 },
      true,
      true,
    );
  }, 120_000);

  it('decode Nq=1 Nk=70 (split keys) on packed operands', async () => {
    await checkPacked(
      'decode',
      { batch: 2, queries: 1, keys: 70, heads: 2, kvHeads: 1, headDim: 8 },
      true,
      false,
    );
  }, 120_000);

  it('fused QKV projection: the attention part is the QKV matmul, attention and the output projection', async () => {
    const [batch, length, h, d] = [2, 12, 2, 8];
    const width = h * d;
    const x = input('x', [batch, length, width]);
    const qkv = matmul(x, param('wqkv', [width, 3 * width]));
    const part = (index: number) =>
      heads(slice(qkv, [0, 0, index * width], [batch, length, (index + 1) * width]), batch, length, h, d);
    const { output } = applyAttention(attentionSpec({ heads: h, headDim: d, mask: causal(), name: 'attn' }), {
      query: part(0),
      key: part(1),
      value: part(2),
    });
    const merged = reshape(permute(output, [0, 2, 1, 3]), [batch, length, width]);
    const graph: Graph = makeGraph({ y: matmul(merged, param('wo', [width, width])) });
    const { device } = await getTestDevice();
    const { program, worstRelativeError } = await expectMatchesReference(graph, device, {
      inputs: { x: randomTensor([batch, length, width], { seed: 21 }) },
      params: {
        wqkv: randomTensor([width, 3 * width], { seed: 22, min: -0.3, max: 0.3 }),
        wo: randomTensor([width, width], { seed: 23, min: -0.3, max: 0.3 }),
      },
      rtol: RTOL,
      atol: 1e-6,
      extensions: [attention],
      label: 'qkv',
    });
    errors['qkv projection + attention + output projection vs interpreter'] = worstRelativeError;
    try {
      expect(program.plan.kernels.map((kernel) => kernel.template)).toEqual([
        'matmul',
        'attention',
        'matmul',
      ]);
    } finally {
      program.destroy();
    }
  }, 120_000);
});
