import { type TensorRef, tensorRef } from '@weft/ir';
import * as v from 'valibot';
import { finiteNumber, nonNegativeInteger } from '../number-schemas.js';

/**
 * A tensor the spec reads by name, in JSON: `{ "tensor": "layer0.sink", "shape": [8] }` (dtype
 * `f32` unless given). The graph binds the name when the spec is applied; the same name in two
 * places is the same tensor.
 */
export const tensorRefSchema = v.strictObject({
  tensor: v.pipe(
    v.string((issue) => `expected a tensor name (a string), got ${issue.received}`),
    v.minLength(1, 'expected a non-empty tensor name'),
  ),
  shape: v.array(
    nonNegativeInteger(),
    (issue) => `expected a shape (an array of integers), got ${issue.received}`,
  ),
  dtype: v.optional(v.picklist(['f32', 'f16', 'i32', 'u32', 'bool'])),
});

/** A tensor reference in JSON (see {@link tensorRefSchema}). */
export type TensorRefJSON = v.InferOutput<typeof tensorRefSchema>;

/** A per-head parameter in JSON: a number, or a `[heads]` (or `[1]`) tensor reference. */
export const headParameterSchema = v.union(
  [finiteNumber(), tensorRefSchema],
  (issue) => `expected a finite number or a tensor reference { "tensor", "shape" }, got ${issue.received}`,
);

/** A per-head parameter in JSON (see {@link headParameterSchema}). */
export type HeadParameterJSON = v.InferOutput<typeof headParameterSchema>;

/** The `TensorRef` of a validated tensor reference. */
export function tensorRefFromJSON(json: TensorRefJSON): TensorRef {
  return tensorRef(json.tensor, json.shape, json.dtype ?? 'f32');
}

/** A number as is, or the `TensorRef` of a tensor reference. */
export function headParameterFromJSON(json: HeadParameterJSON): number | TensorRef {
  return typeof json === 'number' ? json : tensorRefFromJSON(json);
}

/** Whether `value` has the form of a tensor reference (user options are converted where it does). */
export function isTensorRefJSON(value: unknown): value is TensorRefJSON {
  return v.is(tensorRefSchema, value);
}

/** `value` with every tensor reference in JSON replaced by its `TensorRef`, at any depth (user options). */
export function withTensorRefs(value: unknown): unknown {
  if (isTensorRefJSON(value)) return tensorRefFromJSON(value);
  if (Array.isArray(value)) return value.map(withTensorRefs);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withTensorRefs(item)]));
  return value;
}
