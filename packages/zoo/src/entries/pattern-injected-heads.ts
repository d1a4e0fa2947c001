import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Pattern injection: heads replaced by fixed normalized patterns P / rowsum(P) (matching token,
 * same sentence, neighbours i ± 1) next to ordinary softmax heads, as a per-head mask and a score
 * mod that zeroes the scores of pattern heads.
 *
 * Catalog paper 75: Human-guided exploitation of interpretable attention patterns.
 *
 * @example
 * ```ts
 * const { score, mask } = patternInjectedHeads({
 *   patterns: ['matchingToken', 'intraSentence', 'positional', 'learned'], tokenIds, sentenceIds,
 * });
 * const { output } = applyAttention(attention({ heads: 4, headDim: 16, score, mask }), { query, key, value, tensors });
 * ```
 */
export const patternInjectedHeadsEntry = attentionZooEntry({
  id: 'pattern-injected-heads',
  mechanism: 'pattern-injected-heads',
  paper: { id: 75, title: 'Human-guided exploitation of interpretable attention patterns', group: 'G1' },
  description:
    'Matching-token, intra-sentence and i ± 1 pattern heads beside one softmax head, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
