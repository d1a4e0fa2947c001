import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Star Attention's building block: causal attention returning its log-sum-exp, so per-host partial
 * results merge.
 *
 * Catalog paper 99: Star Attention (Acharya, Jia, Ginsburg; NVIDIA).
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 4, headDim: 16, mask: causal(), outputs: { logSumExp: true } });
 * const { output } = applyAttention(spec, { query, key, value });
 * ```
 */
export const starAttentionLseEntry = attentionZooEntry({
  id: 'star-attention-lse',
  mechanism: 'star-attention-lse',
  paper: { id: 99, title: 'Star Attention (Acharya, Jia, Ginsburg; NVIDIA)', group: 'G1' },
  description: 'Causal attention with a log-sum-exp output, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
