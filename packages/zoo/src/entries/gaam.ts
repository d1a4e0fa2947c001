import { normZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * GAAM: per head chunk of the last axis, a product of Gaussians over the standardized values
 * (learned offsets δ and widths c), divided by its sum over the chunk, multiplies the input;
 * computed in log space.
 *
 * Catalog paper 69: GAAM — Gaussian Adaptive Attention Mechanism.
 *
 * @example
 * ```ts
 * const y = gaussianAdaptiveAttention(input('x', [4, 37, 96]), { heads: 4, gaussians: 3, name: 'gaam' });
 * ```
 */
export const gaamEntry = normZooEntry({
  id: 'gaam',
  mechanism: 'GAAM',
  paper: { id: 69, title: 'GAAM — Gaussian Adaptive Attention Mechanism', group: 'G2' },
  description: 'Gaussian gating over 4 head chunks of 24 with 3 Gaussians each, x [4, 37, 96].',
  tolerance: DEFAULT_TOLERANCE,
});
