import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * NoPE with per-head temperature: causal attention without position encoding, each head's scores
 * scaled by a learned scalar.
 *
 * Catalog paper 39: Length Generalization of Causal Transformers without Position Encoding (Wang et
 * al. 2024).
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 4, headDim: 16, positions: nope(), mask: causal(), score: [scale(tensorRef('nope.headScale', [4]))] });
 * const { output } = applyAttention(spec, { query, key, value });
 * ```
 */
export const nopeHeadTemperatureEntry = attentionZooEntry({
  id: 'nope-head-temperature',
  mechanism: 'nope-head-temperature',
  paper: {
    id: 39,
    title: 'Length Generalization of Causal Transformers without Position Encoding (Wang et al. 2024)',
    group: 'G1',
  },
  description: 'Causal NoPE attention with per-head score scales 0.2–0.35, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
