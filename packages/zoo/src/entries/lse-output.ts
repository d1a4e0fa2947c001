import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Attention that also returns each row's log-sum-exp, so partial results over key blocks merge
 * exactly.
 *
 * Catalog paper 18: HyperAttention (Han et al. 2023).
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 4, headDim: 16, outputs: { logSumExp: true } });
 * const { output } = applyAttention(spec, { query, key, value });
 * ```
 */
export const lseOutputEntry = attentionZooEntry({
  id: 'lse-output',
  mechanism: 'lse-output',
  paper: { id: 18, title: 'HyperAttention (Han et al. 2023)', group: 'G1' },
  description: 'Bidirectional attention with a log-sum-exp output, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
