import { ProtobufWriter } from './protobuf-writer.js';

/** A tensor data type an {@link OnnxModel} can declare (ONNX `TensorProto.DataType` names). */
export type OnnxDataType = 'float32' | 'int32' | 'int64';

/** A graph input or output: name, element type and shape (numbers, or names for symbolic dims). */
export interface OnnxValueInfo {
  /** Tensor name, as used by the nodes. */
  readonly name: string;
  /** Element type. Default `float32`. */
  readonly dataType?: OnnxDataType;
  /** Dimensions: a number is fixed, a string names a symbolic dimension. */
  readonly shape: readonly (number | string)[];
}

/** A constant tensor stored in the model (weights, biases, shape operands). */
export interface OnnxInitializer {
  /** Tensor name, as used by the nodes. */
  readonly name: string;
  /** Dimensions. */
  readonly shape: readonly number[];
  /** Values in row-major order; the array type sets the ONNX data type. */
  readonly data: Float32Array | Int32Array | BigInt64Array;
}

/** A node attribute; the key says which ONNX attribute type it is. */
export type OnnxAttribute =
  | { readonly int: number }
  | { readonly float: number }
  | { readonly string: string }
  | { readonly ints: readonly number[] }
  | { readonly floats: readonly number[] };

/** One operator application. */
export interface OnnxNode {
  /** Operator type, e.g. `MatMul` or `MultiHeadAttention`. */
  readonly opType: string;
  /** Input tensor names; an empty string skips an optional input. */
  readonly inputs: readonly string[];
  /** Output tensor names; an empty string skips an optional output. */
  readonly outputs: readonly string[];
  /** Operator domain: `''` (the default ONNX domain) or e.g. `com.microsoft`. Default `''`. */
  readonly domain?: string;
  /** Attributes by name. */
  readonly attributes?: Readonly<Record<string, OnnxAttribute>>;
}

/** A whole single-graph ONNX model. */
export interface OnnxModel {
  /** Graph inputs (initializers are not listed here). */
  readonly inputs: readonly OnnxValueInfo[];
  /** Graph outputs. */
  readonly outputs: readonly OnnxValueInfo[];
  /** Nodes in topological order. */
  readonly nodes: readonly OnnxNode[];
  /** Constant tensors. Default none. */
  readonly initializers?: readonly OnnxInitializer[];
  /** Operator-set version per domain. Default `{ '': 17 }`; add `'com.microsoft': 1` for contrib ops. */
  readonly opsets?: Readonly<Record<string, number>>;
  /** Graph name. Default `weft-bench`. */
  readonly name?: string;
}

/**
 * Encodes a model as ONNX `ModelProto` bytes (IR version 8), ready for `InferenceSession.create`.
 * Only the parts of the format that small hand-built graphs need are written.
 *
 * @example
 * ```ts
 * const bytes = encodeOnnxModel({
 *   inputs: [{ name: 'a', shape: [2, 3] }, { name: 'b', shape: [3, 4] }],
 *   outputs: [{ name: 'c', shape: [2, 4] }],
 *   nodes: [{ opType: 'MatMul', inputs: ['a', 'b'], outputs: ['c'] }],
 * });
 * ```
 */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const graph = new ProtobufWriter();
  model.nodes.forEach((node, index) => {
    graph.message(GRAPH.node, encodeNode(node, index));
  });
  graph.string(GRAPH.name, model.name ?? 'weft-bench');
  for (const initializer of model.initializers ?? [])
    graph.message(GRAPH.initializer, encodeInitializer(initializer));
  for (const input of model.inputs) graph.message(GRAPH.input, encodeValueInfo(input));
  for (const output of model.outputs) graph.message(GRAPH.output, encodeValueInfo(output));

  const proto = new ProtobufWriter()
    .integer(MODEL.irVersion, IR_VERSION)
    .string(MODEL.producerName, 'weft-bench');
  proto.message(MODEL.graph, graph);
  for (const [domain, version] of Object.entries(model.opsets ?? { '': 17 })) {
    proto.message(
      MODEL.opsetImport,
      new ProtobufWriter().string(OPSET.domain, domain).integer(OPSET.version, version),
    );
  }
  return proto.finish();
}

// Field numbers from onnx/onnx.proto3.
const IR_VERSION = 8;
const MODEL = { irVersion: 1, producerName: 2, graph: 7, opsetImport: 8 } as const;
const OPSET = { domain: 1, version: 2 } as const;
const GRAPH = { node: 1, name: 2, initializer: 5, input: 11, output: 12 } as const;
const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 } as const;
const ATTRIBUTE = { name: 1, f: 2, i: 3, s: 4, floats: 7, ints: 8, type: 20 } as const;
const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, floats: 6, ints: 7 } as const;
const TENSOR = { dims: 1, dataType: 2, name: 8, rawData: 9 } as const;
const DATA_TYPE: Record<OnnxDataType, number> = { float32: 1, int32: 6, int64: 7 };
const VALUE_INFO = { name: 1, type: 2 } as const;
const TYPE = { tensorType: 1 } as const;
const TENSOR_TYPE = { elemType: 1, shape: 2 } as const;
const SHAPE = { dim: 1 } as const;
const DIMENSION = { value: 1, param: 2 } as const;

function encodeNode(node: OnnxNode, index: number): ProtobufWriter {
  const writer = new ProtobufWriter();
  for (const input of node.inputs) writer.string(NODE.input, input);
  for (const output of node.outputs) writer.string(NODE.output, output);
  writer.string(NODE.name, `${node.opType}_${index}`).string(NODE.opType, node.opType);
  for (const [name, attribute] of Object.entries(node.attributes ?? {})) {
    writer.message(NODE.attribute, encodeAttribute(name, attribute));
  }
  if (node.domain !== undefined && node.domain !== '') writer.string(NODE.domain, node.domain);
  return writer;
}

function encodeAttribute(name: string, attribute: OnnxAttribute): ProtobufWriter {
  const writer = new ProtobufWriter().string(ATTRIBUTE.name, name);
  if ('int' in attribute) {
    if (attribute.int < 0) throw new RangeError(`ONNX attribute ${name}: negative ints are not supported`);
    return writer.integer(ATTRIBUTE.i, attribute.int).integer(ATTRIBUTE.type, ATTRIBUTE_TYPE.int);
  }
  if ('float' in attribute)
    return writer.float(ATTRIBUTE.f, attribute.float).integer(ATTRIBUTE.type, ATTRIBUTE_TYPE.float);
  if ('string' in attribute) {
    return writer.string(ATTRIBUTE.s, attribute.string).integer(ATTRIBUTE.type, ATTRIBUTE_TYPE.string);
  }
  if ('ints' in attribute) {
    return writer.packedIntegers(ATTRIBUTE.ints, attribute.ints).integer(ATTRIBUTE.type, ATTRIBUTE_TYPE.ints);
  }
  return writer
    .packedFloats(ATTRIBUTE.floats, attribute.floats)
    .integer(ATTRIBUTE.type, ATTRIBUTE_TYPE.floats);
}

function encodeInitializer(initializer: OnnxInitializer): ProtobufWriter {
  const dataType: OnnxDataType =
    initializer.data instanceof Float32Array
      ? 'float32'
      : initializer.data instanceof Int32Array
        ? 'int32'
        : 'int64';
  const { data } = initializer;
  // raw_data is little-endian, as typed arrays are on every platform Node and browsers run on.
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  return new ProtobufWriter()
    .packedIntegers(TENSOR.dims, initializer.shape)
    .integer(TENSOR.dataType, DATA_TYPE[dataType])
    .string(TENSOR.name, initializer.name)
    .bytes(TENSOR.rawData, raw);
}

function encodeValueInfo(info: OnnxValueInfo): ProtobufWriter {
  const shape = new ProtobufWriter();
  for (const dimension of info.shape) {
    const dim = new ProtobufWriter();
    if (typeof dimension === 'number') dim.integer(DIMENSION.value, dimension);
    else dim.string(DIMENSION.param, dimension);
    shape.message(SHAPE.dim, dim);
  }
  const tensorType = new ProtobufWriter()
    .integer(TENSOR_TYPE.elemType, DATA_TYPE[info.dataType ?? 'float32'])
    .message(TENSOR_TYPE.shape, shape);
  return new ProtobufWriter()
    .string(VALUE_INFO.name, info.name)
    .message(VALUE_INFO.type, new ProtobufWriter().message(TYPE.tensorType, tensorType));
}
