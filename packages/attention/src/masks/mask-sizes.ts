import { constant, type Expr, SpecError } from '@weft/ir';
import { ATTENTION_INDICES as I } from '../spec/attention-variables.js';
import { checkOptions, describeValue } from '../spec/validate.js';

/**
 * Where the causal diagonal sits when there are fewer queries than keys. `bottom-right` (default):
 * query i is the last of the sequence minus (Nq − 1 − i), as in decoding with a KV cache
 * (FlashAttention ≥ 2.1, FlexAttention). `top-left`: query i sees keys 0..i (ONNX Runtime, PyTorch SDPA).
 */
export type CausalAlignment = 'top-left' | 'bottom-right';

/** Options of the positional masks. */
export interface AlignmentOptions {
  /** Diagonal alignment (default `bottom-right`); identical when Nq = Nk. */
  readonly align?: CausalAlignment;
}

/** The query's position shift under an alignment: 0 (top-left) or Nk − Nq (bottom-right). */
export function offset(align: 'top-left' | 'bottom-right'): Expr {
  return align === 'top-left' ? constant(0, 'i32') : I.keyLength.sub(I.queryLength);
}

/** The alignment option of a positional mask, checked (default `bottom-right`). */
export function alignment(options: AlignmentOptions, mask: string): 'top-left' | 'bottom-right' {
  checkOptions(mask, options, ['align']);
  const align = options.align ?? 'bottom-right';
  if (align !== 'top-left' && align !== 'bottom-right') {
    throw new SpecError(`${mask}: unknown alignment`, {
      expected: "'top-left' | 'bottom-right'",
      actual: describeValue(align),
    });
  }
  return align;
}

/** The largest i32: masks compare i32 positions, which never reach it. */
export const I32_MAX = 2_147_483_647;

/**
 * Checks a size option and clamps it to {@link I32_MAX}: positions and lengths are i32 below it, so
 * a window, prefix, chunk or stride that large already covers every position, as any larger one
 * (the i32 constant would otherwise wrap, e.g. `slidingWindow(2 ** 31)` to an empty window).
 */
export function i32Size(value: number, mask: string, option: string, minimum = 1): number {
  positiveInteger(value, mask, option, minimum);
  return Math.min(value, I32_MAX);
}

/** Refuses a size option that is not an integer of at least `minimum`, naming the mask and option. */
export function positiveInteger(value: number, mask: string, option: string, minimum = 1): void {
  if (!Number.isInteger(value) || value < minimum) {
    throw new SpecError(`${mask}: ${option} must be an integer >= ${minimum}`, {
      expected: `integer >= ${minimum}`,
      actual: describeValue(value),
    });
  }
}
