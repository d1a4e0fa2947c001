import { input, makeGraph } from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { attentionSortingScores } from '../attention-sorting.js';
import { causal } from '../masks/builtin-masks.js';
import { queryKeyMagnitudes } from '../query-key-magnitudes.js';
import { attention } from '../spec/attention-spec.js';
import { rope } from '../spec/positions.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { seeded } from './seeded-values.js';

const HEADS = 4;
const LENGTH = 24;
const DIM = 16;
const SHAPE = [1, HEADS, LENGTH, DIM];
const COUNT = HEADS * LENGTH * DIM;

/** Three documents of 6 tokens, then a question of 6: one key segment each. */
export const ATTENTION_SORTING_SEGMENTS = [0, 6, 12, 18] as const;

/**
 * Attention Sorting (catalog paper 45), one scoring round: two layers' causal attention (their own
 * q, k, v: `q0, k0, v0, q1, k1, v1`) each return the mass per segment, and
 * `attentionSortingScores` averages the last row's over the 8 (layer, head) pairs: `scores` `[1, 4]`,
 * three documents and the question.
 */
export const attentionSortingCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'attention-sorting-scores',
  paper: 45,
  build() {
    const spec = attention({
      name: 'attention-sorting',
      heads: HEADS,
      headDim: DIM,
      mask: causal(),
      outputs: { segmentMass: ATTENTION_SORTING_SEGMENTS },
    });
    const names = [0, 1].flatMap((layer) => ['q', 'k', 'v'].map((part) => `${part}${layer}`));
    const masses = [0, 1].map((layer) => {
      const [query, key, value] = ['q', 'k', 'v'].map((part) => input(`${part}${layer}`, SHAPE));
      return applyAttention(spec, { query: query!, key: key!, value: value! }).segmentMass!;
    });
    return {
      graph: makeGraph({ scores: attentionSortingScores(masses) }),
      params: {},
      inputs: Object.fromEntries(names.map((name, index) => [name, seeded(COUNT, 31 + index)])),
      dims: {},
    };
  },
};

/**
 * Massive values in Q and K (catalog paper 92): the L2 norm over 24 tokens of each of the 16 dims
 * of each of 4 heads, before and after RoPE (base 10 000, `half` pairs). Inputs `q`, `k`.
 */
export const massiveValuesCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'massive-values-qk-norms',
  paper: 92,
  build() {
    const spec = attention({ name: 'massive-values', heads: HEADS, headDim: DIM, positions: rope() });
    const query = input('q', SHAPE);
    const key = input('k', SHAPE);
    const norms = queryKeyMagnitudes(spec, { query, key });
    return {
      graph: makeGraph({
        queryNorms: norms.query,
        keyNorms: norms.key,
        rotatedQueryNorms: norms.rotatedQuery,
        rotatedKeyNorms: norms.rotatedKey,
      }),
      params: {},
      inputs: { q: seeded(COUNT, 41), k: seeded(COUNT, 42) },
      dims: {},
    };
  },
};
