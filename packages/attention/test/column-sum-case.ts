import { type Graph, input, makeGraph } from '@weft/ir';
import { attentionColumnSums, causal, scale, softcap, softmax } from '../src/index.js';
import { buildCase, type CaseShape } from './attention-case.js';
import { denseReadouts } from './dense-readouts.js';

/** One column-sum case: its graph (outputs `output`, `logSumExp`, `columnSums`), inputs and the dense answer. */
export interface ColumnSumCase {
  readonly label: string;
  readonly graph: Graph;
  readonly inputs: Readonly<Record<string, Float64Array>>;
  readonly dims: Readonly<Record<string, number>>;
  /** c_j = Σ_i a_ij `[B, H, Nk]`, summed from the dense float64 probabilities A. */
  readonly dense: Float64Array;
}

/**
 * Causal GQA self-attention; queries at the end of the keys with a sink and a scale-setting mod
 * plus a softcap (the transposed attention must keep their order and the replaced default scale).
 */
export const COLUMN_SUM_CASES: readonly {
  readonly label: string;
  readonly shape: CaseShape;
  readonly sink?: number;
  readonly softcap?: number;
}[] = [
  {
    label: 'causal GQA self-attention',
    shape: { batch: 2, heads: 4, kvHeads: 2, queries: 13, keys: 13, headDim: 8, valueDim: 4 },
  },
  {
    label: 'queries at the end of the keys, sink 0.5, scale 0.3 then softcap 2',
    shape: { batch: 1, heads: 2, kvHeads: 2, queries: 5, keys: 17, headDim: 8, valueDim: 4 },
    sink: 0.5,
    softcap: 2,
  },
];

/** Builds case `index` of {@link COLUMN_SUM_CASES} with seeded random inputs. */
export function columnSumCase(index: number, seed = 7): ColumnSumCase {
  const { label, shape, sink, softcap: cap } = COLUMN_SUM_CASES[index]!;
  const testCase = buildCase(
    shape,
    {
      mask: causal(),
      ...(sink === undefined ? {} : { normalizer: softmax({ sink }) }),
      ...(cap === undefined ? {} : { score: [scale(0.3), softcap(cap)] }),
      outputs: { logSumExp: true },
    },
    {},
    seed,
  );
  // The case's own q and k inputs (input nodes are interned by name and shape).
  const columnSums = attentionColumnSums(testCase.spec, {
    query: input('q', [shape.batch, shape.heads, shape.queries, shape.headDim]),
    key: input('k', [shape.batch, shape.kvHeads, shape.keys, shape.headDim]),
    logSumExp: testCase.logSumExp!,
  });
  const q = testCase.inputs.q!.data;
  const k = testCase.inputs.k!.data;
  // The dense scores: the case's score chain written out (1/√d, or 0.3 then c·tanh(s/c)).
  const { probabilities } = denseReadouts({
    ...shape,
    query: cap === undefined ? q : q.map((x) => x * 0.3 * Math.sqrt(shape.headDim)),
    key: k,
    keep: (i, j) => j <= i + shape.keys - shape.queries,
    segmentStarts: [0],
    probeRows: [],
    ...(sink === undefined ? {} : { sink }),
    ...(cap === undefined ? {} : { scoreMap: (s: number) => cap * Math.tanh(s / cap) }),
  });
  const { batch, heads, queries: nq, keys: nk } = shape;
  const dense = new Float64Array(batch * heads * nk);
  for (let bh = 0; bh < batch * heads; bh++)
    for (let i = 0; i < nq; i++)
      for (let j = 0; j < nk; j++) dense[bh * nk + j]! += probabilities[(bh * nq + i) * nk + j]!;
  return {
    label,
    graph: makeGraph({ output: testCase.output, logSumExp: testCase.logSumExp!, columnSums }),
    inputs: Object.fromEntries(Object.entries(testCase.inputs).map(([name, t]) => [name, t.data])),
    dims: testCase.dims,
    dense,
  };
}
