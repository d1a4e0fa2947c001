import { type Graph, input, makeGraph, slice, type Tensor64 } from '@weft/ir';
import { randomTensor } from '@weft/ir/test';
import { type AttentionPartial, applyAttention, attention, causal, mergeAttention } from '../src/index.js';
import { naiveAttention } from './naive-attention.js';

/** Shapes of the merge cases: batch 2, 4 query heads over 2 KV heads. */
const SHAPE = { batch: 2, heads: 4, kvHeads: 2, headDim: 8, valueDim: 8 } as const;

/** A graph whose outputs `output`, `logSumExp` merge attention over parts of the keys, its inputs and the dense float64 answer. */
export interface MergeCase {
  readonly graph: Graph;
  readonly inputs: Record<string, Tensor64>;
  /** Dense float64 attention over all keys: O and the row log-sum-exp. */
  readonly expected: { output: Float64Array; logSumExp: Float64Array };
}

/**
 * Attention of `queries` queries over `keys` keys, the keys cut at `cuts` into parts attended
 * separately (bidirectional) and merged with `mergeAttention`; or, with `splitPrefill`, a new
 * chunk of `queries` tokens attending to the `keys − queries` cached keys (bidirectional) and to
 * itself (causal), merged: causal attention over all keys.
 */
export function mergeCase(
  options: { queries: number; keys: number; cuts?: readonly number[]; splitPrefill?: boolean },
  seed: number,
): MergeCase {
  const { batch, heads, kvHeads, headDim, valueDim } = SHAPE;
  const { queries, keys } = options;
  const query = input('q', [batch, heads, queries, headDim]);
  const key = input('k', [batch, kvHeads, keys, headDim]);
  const value = input('v', [batch, kvHeads, keys, valueDim]);
  const past = keys - queries;
  const bounds = options.splitPrefill === true ? [0, past, keys] : [0, ...(options.cuts ?? []), keys];
  const partials: AttentionPartial[] = bounds.slice(1).map((end, part) => {
    const start = bounds[part]!;
    const last = options.splitPrefill === true && part === 1;
    const spec = attention({
      name: `part${part}`,
      heads,
      kvHeads,
      headDim,
      valueDim,
      ...(last ? { mask: causal() } : {}),
      outputs: { logSumExp: true },
    });
    const result = applyAttention(spec, {
      query,
      key: slice(key, [0, 0, start], [batch, kvHeads, end]),
      value: slice(value, [0, 0, start], [batch, kvHeads, end]),
    });
    return { output: result.output, logSumExp: result.logSumExp! };
  });
  const merged = mergeAttention(partials, { name: 'merge' });
  const inputs = {
    q: randomTensor([batch, heads, queries, headDim], { seed }),
    k: randomTensor([batch, kvHeads, keys, headDim], { seed: seed + 1 }),
    v: randomTensor([batch, kvHeads, keys, valueDim], { seed: seed + 2 }),
  };
  const dense = naiveAttention({
    ...SHAPE,
    queries,
    keys,
    query: inputs.q.data,
    key: inputs.k.data,
    value: inputs.v.data,
    ...(options.splitPrefill === true
      ? { keep: (_b: number, _h: number, i: number, j: number) => j <= i + past }
      : {}),
  });
  return {
    graph: makeGraph({ output: merged.output, logSumExp: merged.logSumExp }),
    inputs,
    expected: { output: dense.output, logSumExp: dense.logSumExp },
  };
}
