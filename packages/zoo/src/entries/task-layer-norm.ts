import { normZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * LayerNorm with one gain and bias set per task, chosen per sample by a task id.
 *
 * Catalog paper 110: LayerNorm tuning for continual learning in ViTs (De Min et al.).
 *
 * @example
 * ```ts
 * const y = taskLayerNorm(input('x', [3, 17, 96]), input('task', [3], 'i32'), { tasks: 5 });
 * ```
 */
export const taskLayerNormEntry = normZooEntry({
  id: 'task-layer-norm',
  mechanism: 'LayerNorm tuning (per-task sets)',
  paper: { id: 110, title: 'LayerNorm tuning for continual learning in ViTs (De Min et al.)', group: 'G3' },
  description: 'LayerNorm of a [3, 17, 96] tensor with 5 task-specific parameter sets, tasks 4, 0 and 2.',
  tolerance: DEFAULT_TOLERANCE,
});
