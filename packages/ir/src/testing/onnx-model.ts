/**
 * Small ONNX models for comparing Weft against onnxruntime in tests and benchmarks: a model is
 * described as plain data and encoded by protobufjs with ONNX's own schema (see `onnx-schema.ts`).
 */
import protobuf from 'protobufjs';
import { ONNX_PROTO_SUBSET } from './onnx-schema.js';

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
  /** Element type. Default `float`. */
  readonly type?: OnnxElementType;
  /** Dimensions: a number is fixed, a string names a symbolic dimension (`'batch'`). */
  readonly shape: readonly (number | string)[];
}

/** A constant tensor stored in the model (ONNX initializer). */
export interface OnnxInitializer {
  /** Value name, as the nodes use it. */
  readonly name: string;
  /** Element type. Default: `float`, or `int32` for an `Int32Array`. */
  readonly type?: OnnxElementType;
  /** Dimensions. */
  readonly shape: readonly number[];
  /** Row-major values (integers for integer types, 0/1 for bool). */
  readonly values: ArrayLike<number>;
}

/** One operator application. */
export interface OnnxNode {
  /** Operator name, e.g. `MatMul`. */
  readonly opType: string;
  /** Operator domain: `''` (the default ONNX domain) or e.g. `com.microsoft`. Default `''`. */
  readonly domain?: string;
  /** Input value names (`''` for an omitted optional input). */
  readonly inputs: readonly string[];
  /** Output value names. */
  readonly outputs: readonly string[];
  /** Attributes by name. */
  readonly attributes?: Readonly<Record<string, OnnxAttribute>>;
}

/** A one-graph ONNX model. */
export interface OnnxModelSpec {
  /** Default-domain opset version (e.g. 17, 18 or 20). */
  readonly opset: number;
  /** Opset versions of other domains used by the nodes, e.g. `{ 'com.microsoft': 1 }`. */
  readonly domainOpsets?: Readonly<Record<string, number>>;
  /** Graph inputs. */
  readonly inputs: readonly OnnxValueInfo[];
  /** Graph outputs. */
  readonly outputs: readonly OnnxValueInfo[];
  /** Nodes in topological order. */
  readonly nodes: readonly OnnxNode[];
  /** Constant tensors (weights, the `axes` input of opset-18 reductions). */
  readonly initializers?: readonly OnnxInitializer[];
  /** Graph name. Default `weft_test`. */
  readonly name?: string;
}

/** ONNX IR version 9 (onnx 1.14): what onnxruntime 1.16 and later read. */
const IR_VERSION = 9;

let modelProto: protobuf.Type | undefined;

/**
 * Encodes a model as ONNX `ModelProto` bytes, loadable with `ort.InferenceSession.create(bytes)`.
 *
 * @example
 * ```ts
 * const bytes = encodeOnnxModel({
 *   opset: 17,
 *   inputs: [{ name: 'a', shape: ['rows', 3] }, { name: 'b', shape: [3, 4] }],
 *   outputs: [{ name: 'c', shape: ['rows', 4] }],
 *   nodes: [{ opType: 'MatMul', inputs: ['a', 'b'], outputs: ['c'] }],
 * });
 * const session = await ort.InferenceSession.create(bytes);
 * ```
 */
export function encodeOnnxModel(spec: OnnxModelSpec): Uint8Array {
  modelProto ??= protobuf.parse(ONNX_PROTO_SUBSET, { keepCase: true }).root.lookupType('onnx.ModelProto');
  const model = {
    ir_version: IR_VERSION,
    producer_name: 'weft',
    opset_import: Object.entries({ '': spec.opset, ...spec.domainOpsets }).map(([domain, version]) => ({
      domain,
      version,
    })),
    graph: {
      name: spec.name ?? 'weft_test',
      node: spec.nodes.map((node) => ({
        input: node.inputs,
        output: node.outputs,
        op_type: node.opType,
        domain: node.domain ?? '',
        attribute: Object.entries(node.attributes ?? {}).map(([name, value]) => attributeOf(name, value)),
      })),
      initializer: (spec.initializers ?? []).map(tensorOf),
      input: spec.inputs.map(valueInfoOf),
      output: spec.outputs.map(valueInfoOf),
    },
  };
  const problem = modelProto.verify(model);
  if (problem !== null) throw new TypeError(`encodeOnnxModel: ${problem}`);
  return modelProto.encode(modelProto.fromObject(model)).finish();
}

// AttributeProto.AttributeType values.
const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, floats: 6, ints: 7 } as const;

function attributeOf(name: string, attribute: OnnxAttribute): Record<string, unknown> {
  if ('int' in attribute) return { name, type: ATTRIBUTE_TYPE.int, i: attribute.int };
  if ('float' in attribute) return { name, type: ATTRIBUTE_TYPE.float, f: attribute.float };
  if ('string' in attribute)
    return { name, type: ATTRIBUTE_TYPE.string, s: new TextEncoder().encode(attribute.string) };
  if ('ints' in attribute) return { name, type: ATTRIBUTE_TYPE.ints, ints: attribute.ints };
  return { name, type: ATTRIBUTE_TYPE.floats, floats: attribute.floats };
}

function valueInfoOf(info: OnnxValueInfo): Record<string, unknown> {
  return {
    name: info.name,
    type: {
      tensor_type: {
        elem_type: ONNX_TYPES[info.type ?? 'float'],
        shape: {
          dim: info.shape.map((dim) => (typeof dim === 'number' ? { dim_value: dim } : { dim_param: dim })),
        },
      },
    },
  };
}

function tensorOf(initializer: OnnxInitializer): Record<string, unknown> {
  const type = initializer.type ?? (initializer.values instanceof Int32Array ? 'int32' : 'float');
  return {
    name: initializer.name,
    dims: initializer.shape,
    data_type: ONNX_TYPES[type],
    raw_data: rawData(type, initializer.values),
  };
}

/** The values as `raw_data`: little-endian, as typed arrays are on every platform Node and browsers run on. */
function rawData(type: OnnxElementType, values: ArrayLike<number>): Uint8Array {
  switch (type) {
    case 'float':
      return new Uint8Array(Float32Array.from(values).buffer);
    case 'double':
      return new Uint8Array(Float64Array.from(values).buffer);
    case 'int32':
      return new Uint8Array(Int32Array.from(values).buffer);
    case 'int64':
      return new Uint8Array(BigInt64Array.from(Array.from(values), (value) => BigInt(value)).buffer);
    case 'bool':
      return Uint8Array.from(Array.from(values), (value) => (value !== 0 ? 1 : 0));
  }
}
