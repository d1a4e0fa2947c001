import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Attention that also returns the attention row of the last token, Sentinel's probe (its context
 * renormalization and sentence means are graph ops over it), written by the kernel that computes O.
 *
 * Catalog paper 42: Sentinel — attention probing of a proxy LLM for context compression.
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 4, headDim: 16, mask: causal(), outputs: { probeRows: [-1] } });
 * const { probeRows } = applyAttention(spec, { query, key, value });
 * ```
 */
export const sentinelLastRowProbeEntry = attentionZooEntry({
  id: 'sentinel-last-row-probe',
  mechanism: 'sentinel-last-row-probe',
  paper: {
    id: 42,
    title: 'Sentinel — attention probing of a proxy LLM for context compression',
    group: 'G7',
  },
  description:
    'Causal attention that also returns the probabilities of its last row, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
