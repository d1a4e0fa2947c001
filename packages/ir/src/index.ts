/**
 * `@weft/ir`: Weft's tensor IR — dtypes, symbolic shapes, the `Expr` scalar language, the op
 * table, graph passes (simplification, fusion and memory planning) and the float64 reference
 * interpreter. It knows nothing of WGSL or GPUs.
 *
 * @packageDocumentation
 */
export * from './dtype.js';
export * from './dim.js';
export * from './shape.js';
export * from './errors.js';
export * from './expr/expr.js';
export * from './graph/node.js';
export * from './graph/graph.js';
export { fnv1a64 } from './graph/hash.js';
export * from './ops/op-table.js';
export * from './plan/kernel-plan.js';
