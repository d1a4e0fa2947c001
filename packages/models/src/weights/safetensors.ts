import {
  bfloat16BitsToFloat32,
  float16BitsToFloat32,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
  InputError,
  SpecError,
  UnsupportedError,
} from '@weft/ir';
import {
  isSafetensorsFloatDType,
  isSupportedSafetensorsDType,
  SAFETENSORS_DTYPE_BYTES,
  type SafetensorsFloatDType,
  type SafetensorsIntDType,
  SUPPORTED_SAFETENSORS_DTYPES,
} from './safetensors-dtypes.js';
import { parseSafetensorsHeader, type SafetensorsEntry } from './safetensors-header.js';

/** A tensor loaded from a safetensors file: floats widen to float32, integers narrow to int32. */
export type LoadedTensor =
  | {
      /** The dtype stored in the file. */
      readonly dtype: SafetensorsFloatDType;
      /** The tensor's shape, row-major. */
      readonly shape: readonly number[];
      /** The values as float32. */
      readonly data: Float32Array;
    }
  | {
      /** The dtype stored in the file. */
      readonly dtype: SafetensorsIntDType;
      /** The tensor's shape, row-major. */
      readonly shape: readonly number[];
      /** The values as int32. */
      readonly data: Int32Array;
    };

/** A tensor to write into a safetensors file. */
export interface TensorToWrite {
  /** The dtype to store: float values are rounded to nearest even for F16 and BF16. */
  readonly dtype: SafetensorsFloatDType | SafetensorsIntDType;
  /** The tensor's shape, row-major. */
  readonly shape: readonly number[];
  /** The values, `product(shape)` of them (integers for I32 and I64). */
  readonly data: ArrayLike<number>;
}

/** Options of {@link readSafetensors}. */
export interface ReadSafetensorsOptions {
  /**
   * Largest total size, in bytes, of the loaded tensors (as float32/int32) that the reader
   * allocates; a file that declares more is rejected before anything is allocated.
   * Default {@link DEFAULT_MAX_LOADED_BYTES}.
   */
  readonly maxBytes?: number;
}

/** Default cap on the bytes {@link readSafetensors} allocates: 2 GiB. */
export const DEFAULT_MAX_LOADED_BYTES = 2 ** 31;

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Reads a safetensors file. F32, F16 and BF16 tensors load as `Float32Array`, I32 and I64 as
 * `Int32Array` (an I64 value outside the int32 range is an error). The header is checked in full
 * first (see {@link parseSafetensorsHeader}); then the total size to allocate is checked against
 * `maxBytes`, and only then is anything allocated.
 *
 * An F32 tensor whose data starts at a 4-byte aligned address is a view into `bytes` (no copy;
 * writes through it change `bytes`); every other tensor is a fresh copy.
 *
 * @throws InputError / SpecError for malformed files (each names the tensor and field), and
 * UnsupportedError for dtypes the format defines but Weft does not load (e.g. U8, F64).
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 *
 * const tensors = readSafetensors(readFileSync('model.safetensors')); // Map of name → { dtype, shape, data }
 * for (const [name, tensor] of tensors) console.log(name, tensor.shape);
 * ```
 */
export function readSafetensors(
  bytes: Uint8Array,
  options: ReadSafetensorsOptions = {},
): Map<string, LoadedTensor> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_LOADED_BYTES;
  // NaN would compare false against every size and disable the cap.
  if (typeof maxBytes !== 'number' || Number.isNaN(maxBytes) || maxBytes < 0) {
    throw new InputError('readSafetensors: maxBytes must be a non-negative number of bytes', {
      expected: 'a number ≥ 0 (Infinity for no cap)',
      actual: maxBytes,
    });
  }
  const header = parseSafetensorsHeader(bytes);
  let totalBytes = 0;
  for (const entry of header.entries) {
    if (!isSupportedSafetensorsDType(entry.dtype)) {
      throw new UnsupportedError('safetensors: dtype is not loaded by Weft', {
        tensor: entry.name,
        expected: `one of ${SUPPORTED_SAFETENSORS_DTYPES.join(', ')}`,
        actual: entry.dtype,
      });
    }
    totalBytes += (entry.byteLength / SAFETENSORS_DTYPE_BYTES[entry.dtype]) * 4;
  }
  if (totalBytes > maxBytes) {
    throw new InputError('safetensors: loaded tensors would exceed maxBytes', {
      expected: `at most ${maxBytes} bytes`,
      actual: `${totalBytes} bytes`,
    });
  }
  const tensors = new Map<string, LoadedTensor>();
  for (const entry of header.entries) tensors.set(entry.name, loadTensor(bytes, entry));
  return tensors;
}

/**
 * Writes tensors into a safetensors file. Tensors are laid out by element size (largest first),
 * then by name, so every tensor stays aligned to its element size; the header is padded with
 * spaces so the data section starts at a multiple of 8 bytes.
 *
 * @param tensors The tensors by name (a `Map` or a plain object).
 * @param metadata Optional `__metadata__` strings.
 * @throws SpecError when a tensor's data length does not match its shape, or a name is reserved.
 * @throws InputError when an integer value does not fit its dtype.
 *
 * @example
 * ```ts
 * const bytes = writeSafetensors({ 'mlp.up': { dtype: 'F16', shape: [2, 2], data: [0.5, -1, 2, 0.25] } });
 * const back = readSafetensors(bytes);
 * ```
 */
export function writeSafetensors(
  tensors: ReadonlyMap<string, TensorToWrite> | Readonly<Record<string, TensorToWrite>>,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const named: [string, TensorToWrite][] =
    tensors instanceof Map
      ? [...(tensors as ReadonlyMap<string, TensorToWrite>)]
      : Object.entries(tensors as Readonly<Record<string, TensorToWrite>>);
  named.sort(
    ([nameA, a], [nameB, b]) =>
      SAFETENSORS_DTYPE_BYTES[b.dtype] - SAFETENSORS_DTYPE_BYTES[a.dtype] || (nameA < nameB ? -1 : 1),
  );
  // Null prototype: a tensor named `__proto__` or `constructor` is an ordinary key of the header.
  const header: Record<string, unknown> = Object.create(null);
  if (metadata !== undefined) header.__metadata__ = Object.assign(Object.create(null), metadata);
  let dataLength = 0;
  for (const [name, tensor] of named) {
    if (name === '__metadata__') {
      throw new SpecError(
        'safetensors: a tensor cannot be named __metadata__ (the key of the metadata map)',
        {
          tensor: name,
        },
      );
    }
    checkTensorToWrite(name, tensor);
    const byteLength = tensor.data.length * SAFETENSORS_DTYPE_BYTES[tensor.dtype];
    header[name] = {
      dtype: tensor.dtype,
      shape: [...tensor.shape],
      data_offsets: [dataLength, dataLength + byteLength],
    };
    dataLength += byteLength;
  }
  const headerText = JSON.stringify(header);
  const headerBytes = new TextEncoder().encode(headerText);
  const paddedLength = Math.ceil(headerBytes.length / 8) * 8;
  const file = new Uint8Array(8 + paddedLength + dataLength);
  const view = new DataView(file.buffer);
  view.setBigUint64(0, BigInt(paddedLength), true);
  file.set(headerBytes, 8);
  file.fill(0x20, 8 + headerBytes.length, 8 + paddedLength);
  let offset = 8 + paddedLength;
  for (const [name, tensor] of named) {
    encodeTensor(view, offset, name, tensor);
    offset += tensor.data.length * SAFETENSORS_DTYPE_BYTES[tensor.dtype];
  }
  return file;
}

function loadTensor(bytes: Uint8Array, entry: SafetensorsEntry): LoadedTensor {
  const { dtype, shape } = entry;
  const view = new DataView(bytes.buffer, bytes.byteOffset + entry.byteOffset, entry.byteLength);
  const count = entry.byteLength / SAFETENSORS_DTYPE_BYTES[dtype];
  switch (dtype) {
    case 'F32': {
      const address = bytes.byteOffset + entry.byteOffset;
      // Typed-array views need element alignment and host byte order; otherwise copy.
      if (littleEndianHost && address % 4 === 0) {
        return { dtype, shape, data: new Float32Array(bytes.buffer, address, count) };
      }
      const data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(i * 4, true);
      return { dtype, shape, data };
    }
    case 'F16': {
      const data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = float16BitsToFloat32(view.getUint16(i * 2, true));
      return { dtype, shape, data };
    }
    case 'BF16': {
      const data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = bfloat16BitsToFloat32(view.getUint16(i * 2, true));
      return { dtype, shape, data };
    }
    case 'I32': {
      const data = new Int32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getInt32(i * 4, true);
      return { dtype, shape, data };
    }
    case 'I64': {
      const data = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const value = view.getBigInt64(i * 8, true);
        if (value < -0x80000000n || value > 0x7fffffffn) {
          throw new InputError(`safetensors: I64 value at index ${i} does not fit in int32`, {
            tensor: entry.name,
            expected: 'a value in [-2147483648, 2147483647]',
            actual: value.toString(),
          });
        }
        data[i] = Number(value);
      }
      return { dtype, shape, data };
    }
    default:
      throw new UnsupportedError('safetensors: dtype is not loaded by Weft', {
        tensor: entry.name,
        actual: dtype,
      });
  }
}

function checkTensorToWrite(name: string, tensor: TensorToWrite): void {
  if (name === '__metadata__')
    throw new SpecError('safetensors: "__metadata__" is reserved', { tensor: name });
  if (!isSupportedSafetensorsDType(tensor.dtype)) {
    throw new SpecError('safetensors: cannot write dtype', {
      tensor: name,
      expected: `one of ${SUPPORTED_SAFETENSORS_DTYPES.join(', ')}`,
      actual: tensor.dtype,
    });
  }
  if (!tensor.shape.every((extent) => Number.isSafeInteger(extent) && extent >= 0)) {
    throw new SpecError('safetensors: shape must be a list of non-negative integers', {
      tensor: name,
      actual: tensor.shape,
    });
  }
  const elements = tensor.shape.reduce((total, extent) => total * extent, 1);
  if (elements !== tensor.data.length) {
    throw new SpecError('safetensors: data length does not match the shape', {
      tensor: name,
      expected: `${elements} values for shape [${tensor.shape.join(', ')}]`,
      actual: `${tensor.data.length} values`,
    });
  }
}

function encodeTensor(view: DataView, offset: number, name: string, tensor: TensorToWrite): void {
  const { data, dtype } = tensor;
  if (isSafetensorsFloatDType(dtype)) {
    for (let i = 0; i < data.length; i++) {
      const value = data[i]!;
      if (dtype === 'F32') view.setFloat32(offset + i * 4, value, true);
      else if (dtype === 'F16') view.setUint16(offset + i * 2, float32ToFloat16Bits(value), true);
      else view.setUint16(offset + i * 2, float32ToBfloat16Bits(value), true);
    }
    return;
  }
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!;
    if (!Number.isInteger(value) || (dtype === 'I32' && (value < -0x80000000 || value > 0x7fffffff))) {
      throw new InputError(`safetensors: value at index ${i} is not a valid ${dtype}`, {
        tensor: name,
        actual: value,
      });
    }
    if (dtype === 'I32') view.setInt32(offset + i * 4, value, true);
    else view.setBigInt64(offset + i * 8, BigInt(value), true);
  }
}
