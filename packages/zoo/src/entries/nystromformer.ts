import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Nyströmformer: segment-mean landmarks, the three softmax kernels, and A⁺ by the paper's
 * 6-step iteration; B̃V and F̃·(Z·B̃V) run as fused attention kernels.
 *
 * Catalog paper 57: Nyströmformer — A Nyström-based Algorithm for Approximating Self-Attention.
 *
 * @example
 * ```ts
 * const { output } = nystromformerAttention(q, k, v, { landmarks: 8 });
 * ```
 */
export const nystromformerEntry = attentionZooEntry({
  id: 'nystromformer',
  mechanism: 'nystromformer',
  paper: {
    id: 57,
    title: 'Nyströmformer: A Nyström-based Algorithm for Approximating Self-Attention (Xiong et al.)',
    group: 'G5',
  },
  description:
    'Nyström softmax attention, 8 segment-mean landmarks over 32 positions, A⁺ by 6 iterations; 2 heads × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
