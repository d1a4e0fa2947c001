import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Mega's moving-average gated attention block, decoder form: the causal damped EMA, a causal mask
 * and the laplace attention function f(q kᵀ/n + b_rel), f(s) = ½[1 + erf((s − √½)/(σ√2))],
 * σ = √(1/4π), n = i + 1 visible keys, with no row normalization (fairseq `element_attention`);
 * the gates and residual as in the encoder form (24 positions, width 16, zDim 8, hDim 32).
 *
 * Catalog paper 70: Mega — Moving Average Equipped Gated Attention.
 *
 * @example
 * ```ts
 * const y = megaBlock(x, { name: 'mega', zDim: 8, hDim: 32, components: 8, causal: true, attentionFunction: 'laplace' });
 * ```
 */
export const megaBlockCausalLaplaceEntry = linearAttentionZooEntry({
  id: 'mega-block-causal-laplace',
  mechanism: 'mega-block-causal-laplace',
  paper: {
    id: 70,
    title: 'Mega — Moving Average Equipped Gated Attention, causal laplace block',
    group: 'G4',
  },
  description:
    "Mega's gated block with the causal EMA, a causal mask and laplace element attention (1/n visible keys, no row sum): 24 positions, width 16.",
  tolerance: DEFAULT_TOLERANCE,
});
