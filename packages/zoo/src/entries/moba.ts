import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * MoBA's block routing: each query token scores the mean key of every earlier block, keeps its own
 * block and its top-scoring others, and attends causally within them. The block table is built on
 * the device by graph ops; the attention kernel skips the key tiles no query of a block selected.
 *
 * Catalog paper 115: MoBA: Mixture of Block Attention (Lu et al., Moonshot).
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 2, headDim: 16, mask: and(causal(), mobaSelection({ blockSize: 32, topK: 2 })) });
 * const { output } = applyAttention(spec, { query, key, value });
 * ```
 */
export const mobaEntry = attentionZooEntry({
  id: 'moba',
  mechanism: 'moba',
  paper: { id: 115, title: 'MoBA: Mixture of Block Attention (Lu et al., Moonshot)', group: 'G6' },
  description:
    'MoBA top-2 routing over 4 blocks of 32 keys (own block forced, later blocks out), causal, 2 heads × 128 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
