/**
 * A minimal ONNX model encoder (protobuf wire format written by hand), enough to build one-op test
 * models for onnxruntime without a protobuf library. Field numbers follow `onnx/onnx.proto3`.
 */

/** Tensor element types used by test models (ONNX `TensorProto.DataType` values). */
export const ONNX_TYPES = { float: 1, int32: 6, int64: 7, bool: 9, double: 11 } as const;
/** An ONNX element type name. */
export type OnnxElementType = keyof typeof ONNX_TYPES;

/** A node attribute, tagged with its ONNX attribute type. */
export type OnnxAttribute =
  | { readonly int: number }
  | { readonly ints: readonly number[] }
  | { readonly float: number }
  | { readonly floats: readonly number[] }
  | { readonly string: string };

/** A graph input or output declaration. */
export interface OnnxValueInfo {
  /** Value name. */
  readonly name: string;
  /** Element type. */
  readonly type: OnnxElementType;
  /** Static shape. */
  readonly shape: readonly number[];
}

/** A constant tensor stored in the model (ONNX initializer). */
export interface OnnxInitializer extends OnnxValueInfo {
  /** Row-major values (integers for integer types, 0/1 for bool). */
  readonly values: readonly number[];
}

/** One operator application. */
export interface OnnxNode {
  /** Operator name, e.g. `MatMul`. */
  readonly opType: string;
  /** Input value names (`''` for an omitted optional input). */
  readonly inputs: readonly string[];
  /** Output value names. */
  readonly outputs: readonly string[];
  /** Attributes by name. */
  readonly attributes?: Readonly<Record<string, OnnxAttribute>>;
}

/** A one-graph ONNX model. */
export interface OnnxModelSpec {
  /** Default-domain opset version (e.g. 18 or 20). */
  readonly opset: number;
  /** Graph inputs. */
  readonly inputs: readonly OnnxValueInfo[];
  /** Graph outputs. */
  readonly outputs: readonly OnnxValueInfo[];
  /** Nodes in topological order. */
  readonly nodes: readonly OnnxNode[];
  /** Constant tensors (e.g. the `axes` input of opset-18 reductions). */
  readonly initializers?: readonly OnnxInitializer[];
}

/** Encodes a model as ONNX protobuf bytes, loadable with `ort.InferenceSession.create(bytes)`. */
export function encodeOnnxModel(spec: OnnxModelSpec): Uint8Array {
  const graph = new ProtoWriter();
  for (const node of spec.nodes) graph.message(1, encodeNode(node));
  graph.string(2, 'weft_test');
  for (const initializer of spec.initializers ?? []) graph.message(5, encodeTensor(initializer));
  for (const input of spec.inputs) graph.message(11, encodeValueInfo(input));
  for (const output of spec.outputs) graph.message(12, encodeValueInfo(output));
  const opset = new ProtoWriter().string(1, '').varint(2, spec.opset);
  return new ProtoWriter().varint(1, 9).string(2, 'weft').message(7, graph).message(8, opset).bytes();
}

function encodeNode(node: OnnxNode): ProtoWriter {
  const writer = new ProtoWriter();
  for (const input of node.inputs) writer.string(1, input);
  for (const output of node.outputs) writer.string(2, output);
  writer.string(4, node.opType);
  for (const [name, attribute] of Object.entries(node.attributes ?? {}))
    writer.message(5, encodeAttribute(name, attribute));
  return writer;
}

function encodeAttribute(name: string, attribute: OnnxAttribute): ProtoWriter {
  const writer = new ProtoWriter().string(1, name);
  if ('int' in attribute) return writer.varint(3, attribute.int).varint(20, 2);
  if ('float' in attribute) return writer.float32(2, attribute.float).varint(20, 1);
  if ('string' in attribute) return writer.string(4, attribute.string).varint(20, 3);
  if ('ints' in attribute) {
    for (const value of attribute.ints) writer.varint(8, value);
    return writer.varint(20, 7);
  }
  for (const value of attribute.floats) writer.float32(7, value);
  return writer.varint(20, 6);
}

function encodeValueInfo(info: OnnxValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const dim of info.shape) shape.message(1, new ProtoWriter().varint(1, dim));
  const tensorType = new ProtoWriter().varint(1, ONNX_TYPES[info.type]).message(2, shape);
  return new ProtoWriter().string(1, info.name).message(2, new ProtoWriter().message(1, tensorType));
}

function encodeTensor(initializer: OnnxInitializer): ProtoWriter {
  const writer = new ProtoWriter();
  for (const dim of initializer.shape) writer.varint(1, dim);
  writer.varint(2, ONNX_TYPES[initializer.type]).string(8, initializer.name);
  return writer.raw(9, rawData(initializer.type, initializer.values));
}

function rawData(type: OnnxElementType, values: readonly number[]): Uint8Array {
  switch (type) {
    case 'float':
      return new Uint8Array(Float32Array.from(values).buffer);
    case 'double':
      return new Uint8Array(Float64Array.from(values).buffer);
    case 'int32':
      return new Uint8Array(Int32Array.from(values).buffer);
    case 'int64':
      return new Uint8Array(BigInt64Array.from(values, (value) => BigInt(value)).buffer);
    case 'bool':
      return Uint8Array.from(values, (value) => (value !== 0 ? 1 : 0));
  }
}

/** Protobuf wire-format writer: varints (wire type 0), fixed32 (5) and length-delimited fields (2). */
class ProtoWriter {
  private readonly chunks: number[] = [];

  varint(field: number, value: number): this {
    this.tag(field, 0);
    this.writeVarint(BigInt.asUintN(64, BigInt(value)));
    return this;
  }

  float32(field: number, value: number): this {
    this.tag(field, 5);
    this.chunks.push(...new Uint8Array(Float32Array.of(value).buffer));
    return this;
  }

  string(field: number, value: string): this {
    return this.raw(field, new TextEncoder().encode(value));
  }

  message(field: number, message: ProtoWriter): this {
    return this.raw(field, message.bytes());
  }

  raw(field: number, bytes: Uint8Array): this {
    this.tag(field, 2);
    this.writeVarint(BigInt(bytes.length));
    for (const byte of bytes) this.chunks.push(byte);
    return this;
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }

  private tag(field: number, wireType: number): void {
    this.writeVarint(BigInt((field << 3) | wireType));
  }

  private writeVarint(value: bigint): void {
    let rest = value;
    while (rest >= 0x80n) {
      this.chunks.push(Number(rest & 0x7fn) | 0x80);
      rest >>= 7n;
    }
    this.chunks.push(Number(rest));
  }
}
