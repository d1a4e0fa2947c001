import { input, log, makeGraph, matmul, mean, mul, reshape, sub } from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { attentionRollout } from '../attention-rollout.js';
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

/** Two layers' operands `q0, k0, v0, q1, k1, v1` `[1, 4, 24, 16]` and their seeded values. */
function twoLayers(seed: number) {
  const names = [0, 1].map((layer) => ['q', 'k', 'v'].map((part) => `${part}${layer}`));
  const operands = names.map(([query, key, value]) => ({
    query: input(query!, SHAPE),
    key: input(key!, SHAPE),
    value: input(value!, SHAPE),
  }));
  const inputs = Object.fromEntries(names.flat().map((name, index) => [name, seeded(COUNT, seed + index)]));
  return { operands, inputs };
}

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
    const layers = twoLayers(31);
    const masses = layers.operands.map((operands) => applyAttention(spec, operands).segmentMass!);
    return {
      graph: makeGraph({ scores: attentionSortingScores(masses) }),
      params: {},
      inputs: layers.inputs,
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

/**
 * Attention rollout (Abnar & Zuidema, catalog paper 38) over two bidirectional layers (inputs
 * `q0, k0, v0, q1, k1, v1`): each layer's full map from the `probeRows` readout over all 24 rows,
 * then R = Ã⁽²⁾Ã⁽¹⁾ with Ã = ½·mean_h A + ½·I, rows renormalized: `rollout` `[1, 24, 24]`.
 */
export const attentionRolloutCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'attention-rollout',
  paper: 38,
  build() {
    const spec = attention({
      name: 'attention-rollout',
      heads: HEADS,
      headDim: DIM,
      outputs: { probeRows: Array.from({ length: LENGTH }, (_, row) => row) },
    });
    const layers = twoLayers(51);
    const maps = layers.operands.map((operands) => applyAttention(spec, operands).probeRows!);
    return {
      graph: makeGraph({ rollout: attentionRollout(maps) }),
      params: {},
      inputs: layers.inputs,
      dims: {},
    };
  },
};

/** Weight λ of Pruthi et al.'s penalty in the catalog instance. */
export const DECEPTION_PENALTY_WEIGHT = 0.1;

/**
 * The attention penalty of "Learning to Deceive with Attention-Based Explanations" (Pruthi et al.,
 * catalog paper 116) for a BERT-style classifier: the [CLS] row (query 0) of bidirectional
 * attention as a `probeRows` readout, its mass on the impermissible key set I (`impermissible`, a
 * `[24]` 0/1 mask) a_hᵀm per head (`subsetMass` `[1, 4]`), and
 * R = −(λ/|H|)·Σ_h log(1 − a_hᵀm) with λ = 0.1 (`penalty` `[1]`), one layer (the catalog marks the
 * layer aggregation to verify).
 */
export const deceptionPenaltyCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'deceptive-attention-penalty',
  paper: 116,
  build() {
    const spec = attention({
      name: 'deceptive-attention',
      heads: HEADS,
      headDim: DIM,
      outputs: { probeRows: [0] },
    });
    const [query, key, value] = ['q', 'k', 'v'].map((part) => input(part, SHAPE));
    const clsRow = applyAttention(spec, { query: query!, key: key!, value: value! }).probeRows!;
    const impermissible = input('impermissible', [LENGTH]);
    const subsetMass = reshape(matmul(clsRow, reshape(impermissible, [LENGTH, 1])), [1, HEADS]);
    const penalty = mul(mean(log(sub(1, subsetMass)), 1), -DECEPTION_PENALTY_WEIGHT);
    return {
      graph: makeGraph({ subsetMass, penalty }),
      params: {},
      inputs: {
        q: seeded(COUNT, 61),
        k: seeded(COUNT, 62),
        v: seeded(COUNT, 63),
        // Tokens 3, 4, 5 and 17 are impermissible (say, gender words).
        impermissible: Float32Array.from({ length: LENGTH }, (_, t) => ([3, 4, 5, 17].includes(t) ? 1 : 0)),
      },
      dims: {},
    };
  },
};
