import { add, matmul, type Node, param, SpecError } from '@weft/ir';
import { staticDimOf } from './static-dim.js';

/** Options of {@link linear}. */
export interface LinearOptions {
  /** Output features. */
  readonly outFeatures: number;
  /** Name of the weight parameter, stored `[in, out]` (so `y = x W`), e.g. `layers.0.attn.wqkv`. */
  readonly weight: string;
  /** Name of the bias parameter `[out]`; no bias when absent. */
  readonly bias?: string;
}

/**
 * A dense layer over the last axis: `y = x W (+ b)`, one `matmul` node (the bias add becomes its
 * epilogue when fused). Shapes: `x` is `[..., in]`, `W` is `[in, out]`, `y` is `[..., out]`.
 *
 * @example
 * ```ts
 * const y = linear(input('x', [1, seq, 128]), { outFeatures: 256, weight: 'layers.0.mlp.wUp' });
 * ```
 */
export function linear(x: Node, options: LinearOptions): Node {
  const inFeatures = staticDimOf(x, -1, `linear "${options.weight}"`);
  if (!Number.isInteger(options.outFeatures) || options.outFeatures < 1) {
    throw new SpecError(`linear "${options.weight}": outFeatures must be a positive integer`, {
      block: options.weight,
      expected: 'integer >= 1',
      actual: options.outFeatures,
    });
  }
  const product = matmul(x, param(options.weight, [inFeatures, options.outFeatures]));
  return options.bias === undefined ? product : add(product, param(options.bias, [options.outFeatures]));
}
