import { add, matmul, type Node, param, SpecError } from '@weft/ir';
import { checkExactOptions } from './exact-options.js';
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

const LINEAR_OPTIONS = ['outFeatures', 'weight', 'bias'];

/**
 * A dense layer over the last axis: `y = x W (+ b)`, one `matmul` node (the bias add becomes its
 * epilogue when fused). Shapes: `x` is `[..., in]`, `W` is `[in, out]`, `y` is `[..., out]`.
 * Throws a `SpecError` naming the option for a missing or misspelled option (`name` for `weight`).
 *
 * @example
 * ```ts
 * const seq = symbolicDim('seq', { max: 128 });
 * const y = linear(input('x', [1, seq, 128]), { outFeatures: 256, weight: 'layers.0.mlp.wUp' });
 * ```
 */
export function linear(x: Node, options: LinearOptions): Node {
  const given: Record<string, unknown> =
    typeof options === 'object' && options !== null ? (options as unknown as Record<string, unknown>) : {};
  // The layer has no path of its own but its weight's name: use what the caller gave to name it.
  const path =
    typeof given.weight === 'string' ? given.weight : typeof given.name === 'string' ? given.name : 'linear';
  const block = `linear "${path}"`;
  if (typeof given.weight !== 'string' || given.weight === '') {
    const hint = 'name' in given ? ' (linear has no "name": its weight parameter\'s name is "weight")' : '';
    throw new SpecError(`${block}: option "weight" is missing${hint}`, {
      block: path,
      expected: 'the weight parameter\'s name, e.g. "layers.0.mlp.wUp"',
      actual: given.weight === undefined ? 'undefined' : typeof given.weight,
    });
  }
  checkExactOptions(block, path, options, LINEAR_OPTIONS);
  if (options.bias !== undefined && (typeof options.bias !== 'string' || options.bias === '')) {
    throw new SpecError(`${block}: option "bias" must be a parameter name`, {
      block: path,
      expected: 'a non-empty string',
      actual: typeof options.bias,
    });
  }
  const inFeatures = staticDimOf(x, -1, block);
  if (!Number.isInteger(options.outFeatures) || options.outFeatures < 1) {
    throw new SpecError(`${block}: outFeatures must be a positive integer`, {
      block: path,
      expected: 'integer >= 1',
      actual: options.outFeatures,
    });
  }
  const product = matmul(x, param(options.weight, [inFeatures, options.outFeatures]));
  return options.bias === undefined ? product : add(product, param(options.bias, [options.outFeatures]));
}
