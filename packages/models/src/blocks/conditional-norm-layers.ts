import {
  add,
  dimsEqual,
  formatShape,
  matmul,
  mul,
  type Node,
  param,
  reshape,
  ShapeError,
  silu,
} from '@weft/ir';
import { layerNorm, type TaskLayerNormOptions, taskLayerNorm } from '@weft/norms';
import { checkExactOptions } from './exact-options.js';
import type { NormLayer } from './norm-layer.js';
import { missingCondition } from './norm-layers.js';
import { sliceAxis } from './slice-axis.js';
import { staticDimOf } from './static-dim.js';

/** Options of {@link adaptiveLayerNorm}. */
export interface AdaptiveLayerNormOptions {
  /** LayerNorm ε. Default `1e-6` (DiT). */
  readonly eps?: number;
  /** Apply SiLU to the condition before the projection. Default `true` (DiT). */
  readonly activateCondition?: boolean;
}

/**
 * Adaptive LayerNorm, adaLN (DiT's ungated variant; FiLM on a LayerNorm): a LayerNorm without
 * affine whose shift and scale come from the block's conditioning vector `c` `[B, d_c]`,
 *
 * `[shift, scale] = SiLU(c) W + b`,  `y = LN(x) ⊙ (1 + scale) + shift`.
 *
 * Parameters `${path}.modulation.weight` `[d_c, 2d]` (shift columns, then scale) and
 * `${path}.modulation.bias` `[2d]`. The gated form, whose gate scales the residual branch, is the
 * residual `{ kind: 'adaLnZero' }`.
 *
 * @example
 * ```ts
 * const x = input('x', [1, 16, 64]);
 * const c = input('timestep', [1, 64]);
 * const feedForward = { kind: 'gelu', hidden: 256 } as const;
 * transformerBlock(x, { attention: { heads: 4, headDim: 16 }, mlp: feedForward, norm: adaptiveLayerNorm(), condition: c }, 'blocks.0');
 * ```
 */
export function adaptiveLayerNorm(options: AdaptiveLayerNormOptions = {}): NormLayer {
  checkExactOptions('adaptiveLayerNorm', 'adaptiveLayerNorm', options, ['eps', 'activateCondition']);
  const { eps = 1e-6, activateCondition = true } = options;
  return Object.freeze({
    kind: 'normLayer',
    name: 'adaptiveLayerNorm',
    conditioned: true,
    apply(x: Node, path: string, condition?: Node): Node {
      if (condition === undefined) missingCondition('adaptiveLayerNorm', path, '[B, d_c] vector');
      if (condition.rank !== 2 || !dimsEqual(condition.shape[0]!, x.shape[0]!)) {
        throw new ShapeError(`norm "${path}": the condition must be [B, d_c] with x's batch`, {
          block: path,
          tensor: 'condition',
          expected: `[B, d_c] with x's batch (x is ${formatShape(x.shape)})`,
          actual: formatShape(condition.shape),
        });
      }
      const width = staticDimOf(x, -1, `norm "${path}"`);
      const features = staticDimOf(condition, 1, `norm "${path}" condition`);
      const activated = activateCondition ? silu(condition) : condition;
      const projected = add(
        matmul(activated, param(`${path}.modulation.weight`, [features, 2 * width])),
        param(`${path}.modulation.bias`, [2 * width]),
      );
      // Per-sample [B, d] vectors broadcast over the tokens of [B, ..., d].
      const perToken = (chunk: Node) =>
        reshape(chunk, [x.shape[0]!, ...new Array<number>(x.rank - 2).fill(1), width]);
      const shift = perToken(sliceAxis(projected, 1, 0, width));
      const scale = perToken(sliceAxis(projected, 1, width, 2 * width));
      const normalized = layerNorm(x, { name: path, affine: false, eps });
      return add(mul(normalized, add(scale, 1)), shift);
    },
  });
}

/** Options of {@link taskLayerNormLayer}: `taskLayerNorm`'s, less the name. */
export type TaskLayerNormLayerOptions = Omit<TaskLayerNormOptions, 'name'>;

/**
 * LayerNorm with one parameter set per task, chosen per sample by the block's condition: task
 * ids `[B]` i32 (`taskLayerNorm` in `@weft/norms`). Parameters `${path}.gamma`, `${path}.beta` `[K, d]`.
 *
 * @example
 * ```ts
 * const x = input('x', [1, 16, 64]);
 * const task = input('task', [1], 'i32');
 * const feedForward = { kind: 'gelu', hidden: 256 } as const;
 * const norm = taskLayerNormLayer({ tasks: 4 });
 * transformerBlock(x, { attention: { heads: 4, headDim: 16 }, mlp: feedForward, norm, condition: task }, 'layers.0');
 * ```
 */
export function taskLayerNormLayer(options: TaskLayerNormLayerOptions): NormLayer {
  checkExactOptions('taskLayerNormLayer', 'taskLayerNorm', options, ['tasks', 'eps']);
  const given = Object.freeze({ ...options });
  return Object.freeze({
    kind: 'normLayer',
    name: 'taskLayerNorm',
    conditioned: true,
    apply(x: Node, path: string, condition?: Node): Node {
      if (condition === undefined) missingCondition('taskLayerNorm', path, '[B] i32 task ids');
      return taskLayerNorm(x, condition, { ...given, name: path });
    },
  });
}
