import { normZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * InstanceNorm with masked statistics: per-channel mean and variance over the valid frames only.
 *
 * Catalog papers 3 and 4: DurIAN-E 2 (Gu et al. 2024) and DurIAN-E (Gu et al. 2023).
 *
 * @example
 * ```ts
 * const y = instanceNorm(input('x', [3, 16, 41]), { mask: input('mask', [3, 41]), affine: true });
 * ```
 */
export const maskedInstanceNormEntry = normZooEntry({
  id: 'masked-instance-norm',
  mechanism: 'InstanceNorm (masked)',
  paper: { id: 3, title: 'DurIAN-E 2 (Gu et al. 2024) and DurIAN-E (Gu et al. 2023)', group: 'G3' },
  description:
    'InstanceNorm over time of a [3, 16, 41] tensor whose rows have 41, 30 and 1 valid frames, with affine parameters.',
  tolerance: DEFAULT_TOLERANCE,
});
