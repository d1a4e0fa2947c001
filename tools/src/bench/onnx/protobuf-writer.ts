// A minimal protocol-buffers writer: just the wire types ONNX models need (varint, 32-bit, length-delimited).

// Wire types (the low three bits of a field tag).
const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

/**
 * Builds one protobuf message field by field. Nested messages are written by encoding them with a
 * writer of their own and adding the bytes with {@link ProtobufWriter.message}.
 */
export class ProtobufWriter {
  private readonly chunks: Uint8Array[] = [];

  /** Adds an integer field (`int32`, `int64`, enum) as a varint; negative values are not needed here. */
  integer(field: number, value: number): this {
    this.tag(field, WIRE_VARINT);
    this.chunks.push(encodeVarint(value));
    return this;
  }

  /** Adds a `float` field (32-bit little-endian). */
  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.chunks.push(bytes);
    return this;
  }

  /** Adds a `string` field (UTF-8). */
  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  /** Adds a `bytes` field. */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.chunks.push(encodeVarint(value.length), value);
    return this;
  }

  /** Adds an embedded message field from another writer. */
  message(field: number, message: ProtobufWriter): this {
    return this.bytes(field, message.finish());
  }

  /** Adds a packed repeated integer field (`repeated int64` with packing). */
  packedIntegers(field: number, values: readonly number[]): this {
    return this.bytes(field, concatenate(values.map(encodeVarint)));
  }

  /** Adds a packed repeated `float` field. */
  packedFloats(field: number, values: readonly number[]): this {
    const bytes = new Uint8Array(values.length * 4);
    const view = new DataView(bytes.buffer);
    values.forEach((value, index) => {
      view.setFloat32(index * 4, value, true);
    });
    return this.bytes(field, bytes);
  }

  /** The encoded message. */
  finish(): Uint8Array {
    return concatenate(this.chunks);
  }

  private tag(field: number, wireType: number): void {
    this.chunks.push(encodeVarint(field * 8 + wireType));
  }
}

/** Encodes a non-negative integer (up to 2^53) as a protobuf varint. */
export function encodeVarint(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`protobuf varint: expected a non-negative safe integer, got ${value}`);
  }
  const bytes: number[] = [];
  // Division instead of bit shifts: shifts would truncate values above 2^31.
  while (value >= 0x80) {
    bytes.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  bytes.push(value);
  return Uint8Array.from(bytes);
}

function concatenate(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const result = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}
