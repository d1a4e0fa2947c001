import { normZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Simple RMSNorm (SRMSNorm): RMSNorm without a gain, ε inside the square root (TransNormerLLM's form).
 *
 * Catalog paper 19: TransNormerLLM — lightning attention, LRPE, SRMSNorm (Qin et al.).
 *
 * @example
 * ```ts
 * const y = simpleRmsNorm(input('x', [4, 37, 96]));
 * ```
 */
export const simpleRmsNormEntry = normZooEntry({
  id: 'simple-rms-norm',
  mechanism: 'Simple RMSNorm',
  paper: { id: 19, title: 'TransNormerLLM — lightning attention, LRPE, SRMSNorm (Qin et al.)', group: 'G3' },
  description: 'Simple RMSNorm (no gain) over the last axis (96) of a [4, 37, 96] tensor.',
  tolerance: DEFAULT_TOLERANCE,
});
