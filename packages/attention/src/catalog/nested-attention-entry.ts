import { input, makeGraph, mul, sum } from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { attention } from '../spec/attention-spec.js';
import { withSentinel } from '../visual-sentinel.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { seeded } from './seeded-values.js';

const HEADS = 2;
const QUERIES = 8;
const TEXT = 10;
const NESTED = 6;
const DIM = 16;

/**
 * Nested Attention (catalog paper 68) at small sizes: 8 image queries attend to 10 text tokens and
 * the subject token s*, whose value is the per-query nested result v*_i = softmax(q_i K̃ᵀ/√d) Ṽ over 6
 * subject tokens. The outer row is attention over the text tokens merged with s* as a per-query
 * slot (logit q_i·k_{s*}/√d, value v*_i), so out_i = Σ_{j≠s*} a_ij V_j + a_{i,s*} v*_i, and a_{i,s*} is
 * exported as `subjectWeight`. Inputs: `q`, text `k`/`v` `[1, 2, 10, 16]`, the subject key
 * `subjectKey` `[1, 2, 1, 16]`, nested `nestedKey`/`nestedValue` `[1, 2, 6, 16]` (K̃ = f W̃_K and
 * Ṽ = f W̃_V taken as given).
 */
export const nestedAttentionCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'nested-attention',
  paper: 68,
  build() {
    const query = input('q', [1, HEADS, QUERIES, DIM]);
    const subjectKey = input('subjectKey', [1, HEADS, 1, DIM]);
    const nested = applyAttention(attention({ name: 'nested-attention.inner', heads: HEADS, headDim: DIM }), {
      query,
      key: input('nestedKey', [1, HEADS, NESTED, DIM]),
      value: input('nestedValue', [1, HEADS, NESTED, DIM]),
    });
    const outer = applyAttention(
      attention({ name: 'nested-attention', heads: HEADS, headDim: DIM, outputs: { logSumExp: true } }),
      { query, key: input('k', [1, HEADS, TEXT, DIM]), value: input('v', [1, HEADS, TEXT, DIM]) },
    );
    // The subject token's logit, the outer score q_i·k_{s*}/√d of one key for every query.
    const subjectLogit = mul(sum(mul(query, subjectKey), [3]), 1 / Math.sqrt(DIM));
    const { output, sentinelWeight } = withSentinel(
      { output: outer.output, logSumExp: outer.logSumExp! },
      { logit: subjectLogit, value: nested.output },
      'nested-attention',
    );
    const rows = (length: number) => HEADS * length * DIM;
    return {
      graph: makeGraph({ output, subjectWeight: sentinelWeight }),
      params: {},
      inputs: {
        q: seeded(rows(QUERIES), 1),
        k: seeded(rows(TEXT), 2),
        v: seeded(rows(TEXT), 3),
        subjectKey: seeded(rows(1), 4).map((x) => x * 3),
        nestedKey: seeded(rows(NESTED), 5),
        nestedValue: seeded(rows(NESTED), 6),
      },
      dims: {},
    };
  },
};
