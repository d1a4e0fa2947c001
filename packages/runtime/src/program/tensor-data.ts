import { type DType, InputError } from '@weft/ir';

/** Typed array types that hold tensor data on the way in and out of a program. */
export type TypedTensorArray = Float32Array<ArrayBuffer> | Int32Array<ArrayBuffer> | Uint32Array<ArrayBuffer>;

/** A tensor read back from a program: its data, concrete shape and dtype. */
export interface TensorResult {
  /** Elements in row-major order (`f32`/`f16` as Float32Array, `i32` as Int32Array, `u32`/`bool` as Uint32Array). */
  readonly data: TypedTensorArray;
  /** Concrete shape for this run (symbolic dims resolved). */
  readonly shape: readonly number[];
  /** The tensor's dtype in the graph. */
  readonly dtype: DType;
}

/** What `run` accepts for one input: a typed array, or plain numbers, in row-major order. */
export type TensorInput = ArrayLike<number>;

/** The typed array class that stores `dtype` on the GPU and in results. */
export function arrayTypeFor(
  dtype: DType,
): Float32ArrayConstructor | Int32ArrayConstructor | Uint32ArrayConstructor {
  if (dtype === 'i32') return Int32Array;
  if (dtype === 'u32' || dtype === 'bool') return Uint32Array;
  return Float32Array;
}

/**
 * Converts `values` to the typed array for `dtype`, checking the element count. Errors name the
 * tensor and give the expected and actual counts.
 */
export function toTypedArray(
  name: string,
  values: TensorInput,
  dtype: DType,
  expectedCount: number,
): TypedTensorArray {
  checkArrayLike(name, values);
  if (values.length !== expectedCount) {
    throw new InputError('wrong number of elements', {
      tensor: name,
      expected: expectedCount,
      actual: values.length,
    });
  }
  const ArrayType = arrayTypeFor(dtype);
  // A view on a SharedArrayBuffer is copied: WebGPU uploads take plain ArrayBuffers.
  if (values instanceof ArrayType && values.buffer instanceof ArrayBuffer) return values as TypedTensorArray;
  if (dtype === 'f32' || dtype === 'f16') {
    if (values instanceof Int32Array || values instanceof Uint32Array) {
      throw new InputError('integer data given for a floating-point tensor', {
        tensor: name,
        expected: dtype,
        actual: values.constructor.name,
      });
    }
  } else if (values instanceof Float32Array || values instanceof Float64Array) {
    for (let i = 0; i < values.length; i++) {
      if (!Number.isInteger(values[i])) {
        throw new InputError('non-integer value for an integer tensor', {
          tensor: name,
          dimension: `element ${i}`,
          expected: dtype,
          actual: values[i],
        });
      }
    }
  }
  return ArrayType.from(values) as TypedTensorArray;
}

/**
 * Checks that `inputs` (what `run` was given) is an object of tensors by name: `run(null)` and
 * `run(42)` are input errors, not `TypeError`s from deep inside.
 */
export function checkInputRecord(inputs: unknown): asserts inputs is Readonly<Record<string, TensorInput>> {
  if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) {
    throw new InputError('run: inputs must be an object of tensors by name', {
      expected: '{ [input name]: typed array or number[] }',
      actual: inputs === null ? 'null' : Array.isArray(inputs) ? 'an array' : typeof inputs,
    });
  }
}

/** A tensor's data must be a typed array or an array of numbers (BigInt arrays are not accepted). */
function checkArrayLike(name: string, values: unknown): asserts values is TensorInput {
  if (
    typeof values !== 'object' ||
    values === null ||
    typeof (values as { length?: unknown }).length !== 'number'
  ) {
    throw new InputError('tensor data must be a typed array or an array of numbers', {
      tensor: name,
      expected: 'Float32Array, Int32Array, Uint32Array or number[]',
      actual: values === null ? 'null' : typeof values,
    });
  }
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    throw new InputError('BigInt tensor data is not supported: convert it to an Int32Array or Uint32Array', {
      tensor: name,
      expected: 'Float32Array, Int32Array, Uint32Array or number[]',
      actual: values.constructor.name,
    });
  }
}
