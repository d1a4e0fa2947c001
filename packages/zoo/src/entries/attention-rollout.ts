import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Attention rollout over layers: each layer's attention returns its full probability map (the
 * `probeRows` readout over every row, from the kernel that computes O), and `attentionRollout`
 * chains them, R = Ã⁽ᴸ⁾⋯Ã⁽¹⁾ with Ã = ½·mean_h A + ½·I, rows renormalized. Attention flow (the
 * paper's max-flow) is a graph algorithm and not provided.
 *
 * Catalog paper 38: Quantifying Attention Flow in Transformers (Abnar & Zuidema 2020).
 *
 * @example
 * ```ts
 * const everyRow = Array.from({ length: 24 }, (_, row) => row);
 * const spec = attention({ heads: 4, headDim: 16, outputs: { probeRows: everyRow } });
 * const rollout = attentionRollout(layers.map((operands) => applyAttention(spec, operands).probeRows!));
 * ```
 */
export const attentionRolloutEntry = attentionZooEntry({
  id: 'attention-rollout',
  mechanism: 'attention-rollout',
  paper: { id: 38, title: 'Quantifying Attention Flow in Transformers (Abnar & Zuidema 2020)', group: 'G7' },
  description: 'Rollout over two bidirectional layers of 4 heads × 24 positions × dim 16, residual ½.',
  tolerance: DEFAULT_TOLERANCE,
});
