import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Layerwise attention shortcuts: the last layer cross-attends to MLP features of tapped layers
 * concatenated along the sequence, with the causal predicate (key index mod n) ≤ query.
 *
 * Catalog paper 37: Adaptive LLMs by Layerwise Attention Shortcuts (Verma & Pilanci 2024).
 *
 * @example
 * ```ts
 * const y = layerwiseShortcutAttention(x, [tap0, tap1], { heads: 4 });
 * ```
 */
export const layerwiseShortcutsEntry = attentionZooEntry({
  id: 'layerwise-shortcuts',
  mechanism: 'layerwise-shortcuts',
  paper: {
    id: 37,
    title: 'Adaptive LLMs by Layerwise Attention Shortcuts (Verma & Pilanci 2024)',
    group: 'G5',
  },
  description:
    'The last layer cross-attends to MLP features of two tapped layers concatenated along the sequence, mask (key mod n) ≤ query; 2 × 12 rows × width 16, 4 heads.',
  tolerance: DEFAULT_TOLERANCE,
});
