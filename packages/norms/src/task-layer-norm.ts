import { add, gather, mul, type Node, param, SpecError } from '@weft/ir';
import { tokenView } from './conditioning.js';
import {
  expectFloatTensor,
  expectMinimumRank,
  expectNonNegative,
  expectShape,
  staticDim,
} from './norm-checks.js';
import { standardize } from './row-statistics.js';

/** Options of {@link taskLayerNorm}. */
export interface TaskLayerNormOptions {
  /** Number of parameter sets `K` (one per task). */
  readonly tasks: number;
  /** Added to the variance inside the square root. Default `1e-5`. */
  readonly eps?: number;
  /** Layer name: prefixes parameter names and appears in errors. Default `'taskLayerNorm'`. */
  readonly name?: string;
}

/**
 * LayerNorm with `K` per-task parameter sets selected at run time (LayerNorm tuning for continual
 * learning, catalog paper 110): sample `b` uses the set `t_b` given by an index input,
 *
 * `y_b = γ_{t_b} ⊙ (x_b − μ) / √(σ² + ε) + β_{t_b}` over the last axis.
 *
 * The sets are stacked: `${name}.gamma` and `${name}.beta` are `[K, D]` (row `t` = task `t`),
 * gathered per sample inside the norm's kernel. Shapes: `x` is `[B, ..., D]`, `task` is `[B]`
 * (i32 in `0..K−1`); the output has `x`'s shape.
 *
 * @example
 * ```ts
 * const y = taskLayerNorm(input('x', [8, 197, 768]), input('task', [8], 'i32'), { tasks: 10, name: 'blocks.3.norm1' });
 * ```
 */
export function taskLayerNorm(x: Node, task: Node, options: TaskLayerNormOptions): Node {
  const name = options.name ?? 'taskLayerNorm';
  const eps = options.eps ?? 1e-5;
  expectFloatTensor(name, 'x', x);
  expectNonNegative(name, 'eps', eps);
  expectMinimumRank(name, 'x', x, 2, '[B, ..., D]');
  if (!Number.isInteger(options.tasks) || options.tasks < 1) {
    throw new SpecError('the task count must be a positive integer', {
      block: name,
      expected: '>= 1',
      actual: options.tasks,
    });
  }
  expectShape(name, 'task', task, [x.shape[0]!]);
  const width = staticDim(name, 'x', x.shape[x.rank - 1]!, x.rank - 1);
  const gamma = tokenView(gather(param(`${name}.gamma`, [options.tasks, width], x.dtype), task, 0), x.rank);
  const beta = tokenView(gather(param(`${name}.beta`, [options.tasks, width], x.dtype), task, 0), x.rank);
  return add(mul(standardize(x, [x.rank - 1], eps), gamma), beta);
}
