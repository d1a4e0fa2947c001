import { input, makeGraph } from '@weft/ir';
import { dynamicHierarchicalSparseAttention } from '../compose/dhsa.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { qkvInputs } from './qkv-inputs.js';
import { seeded } from './seeded-values.js';

/**
 * DHSA's instance: 2 heads × 256 positions × dim 16 in 8 chunks of uneven lengths (given, in place
 * of the boundary predictor's output), each query keeping its top 64 causal keys by chunk score.
 */
export const DHSA_SHAPE = {
  heads: 2,
  length: 256,
  dim: 16,
  chunkLengths: [23, 41, 17, 30, 52, 9, 34, 50],
  topK: 64,
} as const;

/** Each token's chunk id, from the chunk lengths. */
export function chunkIdsOf(lengths: readonly number[]): Int32Array {
  return Int32Array.from(lengths.flatMap((length, chunk) => Array<number>(length).fill(chunk)));
}

/**
 * DHSA (catalog #30) at small sizes, with the chunk boundaries an input (`chunks`, `[1, 256]` i32):
 * chunk representations √|C|·mean of q and k, chunk scores, upsampled to tokens, the top 64 causal
 * keys per query kept (whole chunks), attention over the kept pairs with empty tiles skipped.
 * Outputs `output` and the selection `keep`.
 */
export const dhsaCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'dhsa',
  paper: 30,
  build() {
    const { heads, length, dim, chunkLengths, topK } = DHSA_SHAPE;
    const [query, key, value] = qkvInputs([1, heads, length, dim]);
    const chunkIds = input('chunks', [1, length], 'i32');
    const { output, keep } = dynamicHierarchicalSparseAttention(
      { query, key, value, chunkIds },
      { chunks: chunkLengths.length, topK },
    );
    const count = heads * length * dim;
    return {
      graph: makeGraph({ output, keep }),
      params: {},
      inputs: {
        q: seeded(count, 81),
        k: seeded(count, 82),
        v: seeded(count, 83),
        chunks: chunkIdsOf(chunkLengths),
      },
      dims: {},
    };
  },
};
