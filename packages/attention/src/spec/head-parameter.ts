import { constant, type Expr, SpecError, type TensorRef } from '@weft/ir';
import { ATTENTION_INDICES } from './attention-variables.js';
import { describeValue, isTensorRef } from './validate.js';

/** A number or a `[heads]` tensor: a per-head parameter. */
export type HeadParameter = number | TensorRef;

/** The Expr of a per-head parameter: a constant, or a read of the `[heads]` tensor at `h`. */
export function headParameter(value: HeadParameter, normalizer: string, option: string): Expr {
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new SpecError(`${normalizer}: ${option} must be finite`, { actual: value });
    return constant(value);
  }
  if (!isTensorRef(value))
    throw new SpecError(`${normalizer}: option "${option}" must be a number or a tensor reference`, {
      actual: describeValue(value),
    });
  if (value.shape.length !== 1) {
    throw new SpecError(`${normalizer}: ${option} is a number or a [heads] tensor`, {
      tensor: value.name,
      expected: 'rank 1',
      actual: `rank ${value.shape.length}`,
    });
  }
  return value.at(value.shape[0] === 1 ? constant(0, 'i32') : ATTENTION_INDICES.h);
}
