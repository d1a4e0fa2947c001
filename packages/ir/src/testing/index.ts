/**
 * `@weft/ir/test`: helpers for tests of Weft kernels and models — seeded random tensors that are
 * never zero, `expectClose` with a useful failure message, a normwise relative error, and a tiny
 * ONNX model encoder for comparing against onnxruntime.
 *
 * @packageDocumentation
 */

export * from './expect-close.js';
export * from './onnx-model.js';
export * from './random.js';
