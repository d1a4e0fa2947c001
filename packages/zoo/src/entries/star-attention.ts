import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Star Attention, both phases: the context in blocks, each attending causally to itself and to the
 * anchor (first) block (`anchorBlocks`, tiles between skipped); then the query tokens attend to
 * every host's block with its log-sum-exp and causally to themselves, merged exactly by
 * `mergeAttention`. RoPE is applied once at global positions.
 *
 * Catalog paper 99: Star Attention (Acharya, Jia, Ginsburg; NVIDIA).
 *
 * @example
 * ```ts
 * const context = applyAttention(attention({ heads: 4, headDim: 16, mask: anchorBlocks(6) }), contextOperands);
 * const parts = hosts.map((operands) => applyAttention(attention({ heads: 4, headDim: 16, outputs: { logSumExp: true } }), operands));
 * const { output } = mergeAttention(parts.map((part) => ({ output: part.output, logSumExp: part.logSumExp! })));
 * ```
 */
export const starAttentionEntry = attentionZooEntry({
  id: 'star-attention',
  mechanism: 'star-attention',
  paper: { id: 99, title: 'Star Attention (Acharya, Jia, Ginsburg; NVIDIA)', group: 'G6' },
  description:
    'Phase 1 over 24 context tokens in 4 anchor-prefixed blocks of 6, phase 2 for 4 query tokens merged over the 4 hosts by LSE, RoPE, 4 heads × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
