import { input, makeGraph } from '@weft/ir';
import { hyperAttention } from '../compose/hyper-attention.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { qkvInputs } from './qkv-inputs.js';
import { seeded, seededInRange } from './seeded-values.js';

/**
 * HyperAttention's instance: 2 heads × 128 positions × dim 16, r = 3 projections (8 buckets), key
 * blocks of 32 (4 diagonal blocks), m = 32 sampled keys per head.
 */
export const HYPER_ATTENTION_SHAPE = {
  heads: 2,
  headDim: 16,
  length: 128,
  blockSize: 32,
  projections: 3,
  samples: 32,
} as const;

/** Seeded N(0, 1) values (Box–Muller on the seeded uniform sequence): sortLSH's projections. */
export function seededGaussian(count: number, seed: number): Float32Array {
  const uniform = seededInRange(2 * count, seed, 0, 1);
  return Float32Array.from({ length: count }, (_, i) => {
    const radius = Math.sqrt(-2 * Math.log(1 - uniform[2 * i]!));
    return radius * Math.cos(2 * Math.PI * uniform[2 * i + 1]!);
  });
}

/** The instance's data: seeded q, k, v, the projections P `[d, r]` and the sampled key indices. */
export function hyperAttentionInputs(): Record<string, Float32Array | Int32Array> {
  const { heads, headDim, length, projections, samples } = HYPER_ATTENTION_SHAPE;
  const count = heads * length * headDim;
  return {
    q: seeded(count, 61),
    k: seeded(count, 62),
    v: seeded(count, 63),
    'hyper.projections': seededGaussian(headDim * projections, 64),
    'hyper.sampled': Int32Array.from(seededInRange(heads * samples, 65, 0, length), Math.floor),
  };
}

/**
 * HyperAttention (catalog #18), non-causal forward, at small sizes: sortLSH with seeded Gaussian
 * projections, exact attention in the diagonal blocks of the sorted order and the sampled residual,
 * merged by log-sum-exp and un-permuted, all on the device. Outputs the attention, its
 * log-sum-exp and the query and key orders of the sort.
 */
export const hyperAttentionCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'hyper-attention',
  paper: 18,
  build() {
    const { heads, headDim, length, blockSize, projections, samples } = HYPER_ATTENTION_SHAPE;
    const [query, key, value] = qkvInputs([1, heads, length, headDim]);
    const result = hyperAttention(
      { query, key, value },
      {
        blockSize,
        projections: input('hyper.projections', [headDim, projections]),
        samples: input('hyper.sampled', [1, heads, samples], 'i32'),
        name: 'hyper',
      },
    );
    const { output, logSumExp, queryOrder, keyOrder } = result;
    return {
      graph: makeGraph({ output, logSumExp, queryOrder: queryOrder!, keyOrder: keyOrder! }),
      params: {},
      inputs: hyperAttentionInputs(),
      dims: {},
    };
  },
};

/**
 * The causal instance: 2 heads × 128 positions × dim 16, exact causal attention at 32 positions or
 * fewer (`minSeqLen`), key blocks of 16, m = 16. Two levels approximate their bottom-left quadrant:
 * level 0 (64 × 64, 2 heads, 4 blocks) and level 1 (32 × 32, 4 heads, 2 blocks); level 2 is exact.
 */
export const HYPER_ATTENTION_CAUSAL_SHAPE = {
  heads: 2,
  headDim: 16,
  length: 128,
  blockSize: 16,
  projections: 3,
  samples: 16,
  minSeqLen: 32,
} as const;

/** The causal instance's data: q, k, v, P and per level ℓ the indices into its 128/2^(ℓ+1) sorted keys. */
export function hyperAttentionCausalInputs(): Record<string, Float32Array | Int32Array> {
  const { heads, headDim, length, projections, samples } = HYPER_ATTENTION_CAUSAL_SHAPE;
  const count = heads * length * headDim;
  const level = (depth: number) =>
    Int32Array.from(
      seededInRange(heads * 2 ** depth * samples, 75 + depth, 0, length / 2 ** (depth + 1)),
      Math.floor,
    );
  return {
    q: seeded(count, 71),
    k: seeded(count, 72),
    v: seeded(count, 73),
    'hyper.projections': seededGaussian(headDim * projections, 74),
    'hyper.sampled0': level(0),
    'hyper.sampled1': level(1),
  };
}

/**
 * HyperAttention (catalog #18), causal forward by the paper's recursive halving: the halves as
 * heads, recursively causal, the bottom-left quadrant by the non-causal forward, the bottom rows
 * merged by log-sum-exp; exact causal attention at the recursion's leaves.
 */
export const hyperAttentionCausalCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'hyper-attention-causal',
  paper: 18,
  build() {
    const { heads, headDim, length, blockSize, projections, samples, minSeqLen } =
      HYPER_ATTENTION_CAUSAL_SHAPE;
    const [query, key, value] = qkvInputs([1, heads, length, headDim]);
    const { output, logSumExp } = hyperAttention(
      { query, key, value },
      {
        blockSize,
        causal: true,
        minSeqLen,
        projections: input('hyper.projections', [headDim, projections]),
        samples: [0, 1].map((depth) =>
          input(`hyper.sampled${depth}`, [1, heads * 2 ** depth, samples], 'i32'),
        ),
        name: 'hyperc',
      },
    );
    return {
      graph: makeGraph({ output, logSumExp }),
      params: {},
      inputs: hyperAttentionCausalInputs(),
      dims: {},
    };
  },
};
