/**
 * `@weft/ir/test`: helpers for tests of Weft kernels and models — seeded random tensors that are
 * never zero, `expectClose` with a useful failure message, a normwise relative error, and an
 * ONNX model encoder (protobufjs with ONNX's schema; `protobufjs` is an optional peer dependency
 * needed only by `encodeOnnxModel`) for comparing against onnxruntime.
 *
 * @packageDocumentation
 */

export * from './expect-close.js';
export * from './onnx-model.js';
export * from './random.js';
