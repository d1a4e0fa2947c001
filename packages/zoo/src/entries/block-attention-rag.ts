import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Block-Attention for RAG: each retrieved passage is encoded once, on its own, from position 0 (its
 * KV cacheable and reusable across prompts); placed in a prompt, its cached keys move to their
 * offset by one RoPE rotation (`shiftRopePositions`, R(a)R(b) = R(a + b)), and the question attends
 * causally to every passage and to itself.
 *
 * Catalog paper 106: Block-Attention for Efficient RAG (Sun, Wang, Tian).
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 4, headDim: 16, positions: rope() });
 * const placed = passages.map((cachedKeys, i) => shiftRopePositions(spec, cachedKeys, offsets[i]!));
 * const key = concat([...placed, questionKeys], 2); // then causal attention for the question
 * ```
 */
export const blockAttentionRagEntry = attentionZooEntry({
  id: 'block-attention-rag',
  mechanism: 'block-attention-rag',
  paper: { id: 106, title: 'Block-Attention for Efficient RAG (Sun, Wang, Tian)', group: 'G6' },
  description:
    '3 passages of 6 tokens encoded from position 0 and shifted into place, a 6-token question attending to all, RoPE, 4 heads × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
