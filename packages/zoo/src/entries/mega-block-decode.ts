import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * One causal decode step of Mega's moving-average gated attention block (softmax with the relative
 * bias at position 23): the EMA steps its h `[1, 16, 8, 1]` once, the new key and value join a
 * seeded 23-position cache of the single head, and the gates and residual follow as in the whole
 * block; outputs the token and the next state (h, keys, values).
 *
 * Catalog paper 70: Mega — Moving Average Equipped Gated Attention.
 *
 * @example
 * ```ts
 * const options = { name: 'mega', zDim: 8, hDim: 32, components: 8, causal: true, maxPositions: 24 };
 * const step = applyMegaBlock(x, { ...options, state: megaBlockStateInputs(1, 16, 23, options) }); // x [1, 1, 16]
 * ```
 */
export const megaBlockDecodeEntry = linearAttentionZooEntry({
  id: 'mega-block-decode',
  mechanism: 'mega-block-decode',
  paper: { id: 70, title: 'Mega — Moving Average Equipped Gated Attention, decode step', group: 'G4' },
  description:
    "One causal decode step of Mega's gated block: the EMA's h and a seeded 23-position KV cache of the single softmax head; outputs the token and the next state.",
  tolerance: DEFAULT_TOLERANCE,
});
