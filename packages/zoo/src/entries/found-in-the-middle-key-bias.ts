import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Found in the Middle's calibration: a per-key additive bias on the scores that offsets the positional
 * attention bias.
 *
 * Catalog paper 74: Found in the Middle — calibrating positional attention bias.
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 4, headDim: 16, score: [scale(1 / Math.sqrt(16)), keyBias(tensorRef('keyBias', [24]))] });
 * const { output } = applyAttention(spec, { query, key, value });
 * ```
 */
export const foundInTheMiddleKeyBiasEntry = attentionZooEntry({
  id: 'found-in-the-middle-key-bias',
  mechanism: 'found-in-the-middle-key-bias',
  paper: { id: 74, title: 'Found in the Middle — calibrating positional attention bias', group: 'G1' },
  description: 'Attention with scale 1/√16 and a per-key bias input, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
