import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * BAM's positional prior: scores minus exp(σ_h)·(|(k − q) − μ_h| + 1e-5)^β_h, a generalized Gaussian
 * over relative position with learned per-head σ, β and μ.
 *
 * Catalog paper 41: BAM — Bayesian Attention Mechanism (Generalized-Gaussian positional prior).
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 4, headDim: 16, mask: causal(), score: [bamPrior] });
 * const { output } = applyAttention(spec, { query, key, value });
 * ```
 */
export const bamGeneralizedGaussianPriorEntry = attentionZooEntry({
  id: 'bam-generalized-gaussian-prior',
  mechanism: 'bam-generalized-gaussian-prior',
  paper: {
    id: 41,
    title: 'BAM — Bayesian Attention Mechanism (Generalized-Gaussian positional prior)',
    group: 'G1',
  },
  description: 'Causal attention with the BAM prior as a score mod, 4 heads × 24 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
