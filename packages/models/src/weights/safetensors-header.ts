import { InputError, SpecError } from '@weft/ir';
import { isSafetensorsDType, SAFETENSORS_DTYPE_BYTES, type SafetensorsDType } from './safetensors-dtypes.js';

/** One tensor entry of a safetensors header, checked against the file it came from. */
export interface SafetensorsEntry {
  /** The tensor's name (its key in the header). */
  readonly name: string;
  /** The element type as the file declares it. */
  readonly dtype: SafetensorsDType;
  /** The tensor's shape, row-major. */
  readonly shape: readonly number[];
  /** Offset of the tensor's first byte from the start of the file. */
  readonly byteOffset: number;
  /** Number of bytes the tensor occupies. */
  readonly byteLength: number;
}

/** A parsed and checked safetensors header. */
export interface SafetensorsHeader {
  /** The tensors, in the order their data appears in the file. */
  readonly entries: readonly SafetensorsEntry[];
  /** The free-form `__metadata__` map (string to string), empty when the file has none. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Offset of the data section from the start of the file. */
  readonly dataOffset: number;
}

/**
 * Largest header accepted, in bytes. Real headers are at most a few MB; the reference
 * implementation uses the same limit.
 */
export const SAFETENSORS_MAX_HEADER_BYTES = 100_000_000;

const METADATA_KEY = '__metadata__';

/** Deepest JSON nesting a safetensors header may have (entries need 3 levels: header, entry, shape). */
export const SAFETENSORS_MAX_HEADER_DEPTH = 16;
const ENTRY_FIELDS = ['dtype', 'shape', 'data_offsets'];

/**
 * Parses and checks the header of the safetensors file held in `bytes`, without reading or
 * allocating tensor data. Every number is checked before it is used, so a hostile file is an
 * error, never a read out of bounds or a huge allocation.
 *
 * The tensors' byte ranges must tile the data section exactly: sorted by offset they start at 0,
 * each starts where the previous one ends, and the last ends at the end of the file. This is the
 * format's rule ("the byte buffer needs to be entirely indexed, and cannot contain holes") and
 * what the reference implementation enforces. It also defeats aliasing through duplicate JSON
 * keys: `JSON.parse` keeps only the last of two equal keys, which leaves a hole.
 *
 * To check a file without reading its tensors, pass only its leading bytes (at least the 8-byte
 * length and the header it declares, see {@link readSafetensorsHeaderLength}) and the file's
 * length in bytes as `fileLength`.
 *
 * @throws InputError when the bytes are not a safetensors file (too short, header length beyond
 * the file or the cap, header not UTF-8 JSON).
 * @throws SpecError when the header's declarations are invalid (unknown dtype, bad shape or
 * offsets, size not matching the shape, overlapping tensors, gaps).
 */
export function parseSafetensorsHeader(
  bytes: Uint8Array,
  fileLength: number = bytes.length,
): SafetensorsHeader {
  const headerLength = readSafetensorsHeaderLength(bytes, fileLength);
  const dataOffset = 8 + headerLength;
  if (bytes.length < dataOffset) {
    throw new InputError('safetensors: the bytes given hold only part of the header', {
      expected: `at least ${dataOffset} bytes`,
      actual: `${bytes.length} bytes`,
    });
  }
  const dataLength = fileLength - dataOffset;
  const json = decodeHeaderJson(bytes.subarray(8, dataOffset));

  let metadata: Record<string, string> = {};
  const entries: SafetensorsEntry[] = [];
  for (const [name, value] of Object.entries(json)) {
    if (name === METADATA_KEY) metadata = checkMetadata(value);
    else entries.push(checkEntry(name, value, dataOffset, dataLength));
  }
  entries.sort((a, b) => a.byteOffset - b.byteOffset || a.byteLength - b.byteLength);
  checkTiling(entries, dataOffset, fileLength);
  return { entries, metadata, dataOffset };
}

/**
 * The header length a safetensors file declares in its first 8 bytes, checked against the cap
 * and the file's length (`fileLength`, default `bytes.length`).
 *
 * @throws InputError when fewer than 8 bytes are given, or the length exceeds the cap or the file.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 *
 * const bytes = readFileSync('model.safetensors');
 * const headerLength = readSafetensorsHeaderLength(bytes.subarray(0, 8), bytes.length);
 * ```
 */
export function readSafetensorsHeaderLength(bytes: Uint8Array, fileLength: number = bytes.length): number {
  if (bytes.length < 8 || fileLength < 8) {
    throw new InputError('safetensors: file is shorter than its 8-byte header length', {
      expected: 'at least 8 bytes',
      actual: `${Math.min(bytes.length, fileLength)} bytes`,
    });
  }
  const declared = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (declared > BigInt(SAFETENSORS_MAX_HEADER_BYTES)) {
    throw new InputError('safetensors: header length exceeds the cap', {
      expected: `at most ${SAFETENSORS_MAX_HEADER_BYTES} bytes`,
      actual: `${declared} bytes`,
    });
  }
  const length = Number(declared);
  if (8 + length > fileLength) {
    throw new InputError('safetensors: header length is larger than the file', {
      expected: `at most ${fileLength - 8} bytes`,
      actual: `${length} bytes`,
    });
  }
  return length;
}

function decodeHeaderJson(headerBytes: Uint8Array): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(headerBytes);
  } catch {
    throw new InputError('safetensors: header is not valid UTF-8');
  }
  if (!text.startsWith('{')) {
    throw new InputError('safetensors: header must be a JSON object', {
      expected: '"{" as its first byte',
      actual: JSON.stringify(text.slice(0, 16)),
    });
  }
  const depth = jsonNestingDepth(text);
  if (depth > SAFETENSORS_MAX_HEADER_DEPTH) {
    throw new InputError('safetensors: header JSON is nested too deeply', {
      expected: `at most ${SAFETENSORS_MAX_HEADER_DEPTH} levels (tensor entries need 3)`,
      actual: `${depth} levels`,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new InputError(`safetensors: header is not valid JSON: ${(cause as Error).message}`);
  }
  if (!isPlainObject(value)) throw new InputError('safetensors: header must be a JSON object');
  return value;
}

function checkMetadata(value: unknown): Record<string, string> {
  if (!isPlainObject(value)) {
    throw new SpecError('safetensors: __metadata__ must be an object of strings', { actual: kindOf(value) });
  }
  // A null-prototype copy: a key such as `__proto__` stays an ordinary entry.
  const metadata: Record<string, string> = Object.create(null);
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') {
      throw new SpecError(`safetensors: __metadata__.${key} must be a string`, { actual: kindOf(entry) });
    }
    metadata[key] = entry;
  }
  return metadata;
}

/** A short description of a JSON value for messages: the value itself only when it is a scalar. */
function kindOf(value: unknown): unknown {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  return value;
}

/**
 * Deepest nesting of objects and arrays in a JSON text, scanned without recursion (strings are
 * skipped), so that a hostile header is refused before `JSON.parse` and the checks walk it.
 */
function jsonNestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c)
        i += 1; // backslash: skip the escaped character
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) {
      inString = true;
    } else if (code === 0x7b || code === 0x5b) {
      depth += 1;
      if (depth > deepest) deepest = depth;
    } else if (code === 0x7d || code === 0x5d) {
      depth -= 1;
    }
  }
  return deepest;
}

function checkEntry(name: string, value: unknown, dataOffset: number, dataLength: number): SafetensorsEntry {
  const context = { tensor: name };
  if (!isPlainObject(value)) {
    throw new SpecError('safetensors: entry must be an object with dtype, shape and data_offsets', {
      ...context,
      actual: value,
    });
  }
  for (const field of Object.keys(value)) {
    if (!ENTRY_FIELDS.includes(field)) {
      throw new SpecError(`safetensors: unknown field "${field}"`, { ...context, expected: ENTRY_FIELDS });
    }
  }
  const { dtype, shape, data_offsets: offsets } = value;
  if (typeof dtype !== 'string' || !isSafetensorsDType(dtype)) {
    throw new SpecError('safetensors: unknown dtype', {
      ...context,
      expected: `one of ${Object.keys(SAFETENSORS_DTYPE_BYTES).join(', ')}`,
      actual: dtype,
    });
  }
  if (!Array.isArray(shape) || !shape.every(isNonNegativeInteger)) {
    throw new SpecError('safetensors: shape must be a list of non-negative integers', {
      ...context,
      actual: shape,
    });
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !isNonNegativeInteger(offsets[0]) ||
    !isNonNegativeInteger(offsets[1]) ||
    offsets[0] > offsets[1]
  ) {
    throw new SpecError('safetensors: data_offsets must be two non-decreasing non-negative integers', {
      ...context,
      actual: offsets,
    });
  }
  const [begin, end] = offsets as [number, number];
  if (end > dataLength) {
    throw new SpecError('safetensors: data_offsets reach past the end of the data section', {
      ...context,
      expected: `end at most ${dataLength}`,
      actual: end,
    });
  }
  // The range fits in the file, so a shape whose byte size exceeds it is rejected here, before
  // anything is allocated; the running product stops growing once it passes the range length.
  const byteLength = end - begin;
  const elementBytes = SAFETENSORS_DTYPE_BYTES[dtype];
  let declaredBytes: number = elementBytes;
  for (const extent of shape as number[]) {
    declaredBytes = declaredBytes > byteLength && extent > 0 ? declaredBytes : declaredBytes * extent;
  }
  if (declaredBytes !== byteLength) {
    throw new SpecError('safetensors: byte length of data_offsets does not match shape × dtype size', {
      ...context,
      expected: `${formatProduct(shape as number[], elementBytes)} bytes`,
      actual: `${byteLength} bytes`,
    });
  }
  return { name, dtype, shape: shape as number[], byteOffset: dataOffset + begin, byteLength };
}

function checkTiling(entries: readonly SafetensorsEntry[], dataOffset: number, fileLength: number): void {
  let covered = dataOffset;
  let previous: string | undefined;
  for (const entry of entries) {
    if (entry.byteOffset < covered) {
      throw new SpecError(`safetensors: data overlaps tensor "${previous}"`, {
        tensor: entry.name,
        expected: `data_offsets starting at ${covered - dataOffset}`,
        actual: entry.byteOffset - dataOffset,
      });
    }
    if (entry.byteOffset > covered) {
      throw new SpecError('safetensors: gap in the data section before this tensor', {
        tensor: entry.name,
        expected: `data_offsets starting at ${covered - dataOffset}`,
        actual: entry.byteOffset - dataOffset,
      });
    }
    covered = entry.byteOffset + entry.byteLength;
    previous = entry.name;
  }
  if (covered !== fileLength) {
    throw new SpecError('safetensors: the tensors do not cover the data section (trailing bytes)', {
      expected: `${covered - dataOffset} data bytes`,
      actual: `${fileLength - dataOffset} data bytes`,
    });
  }
}

function formatProduct(shape: readonly number[], elementBytes: number): string {
  const product = shape.reduce((total, extent) => total * BigInt(extent), BigInt(elementBytes));
  return `${shape.length > 0 ? `${shape.join('×')}×` : ''}${elementBytes} = ${product}`;
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
