/**
 * `@weft/ir`: Weft's tensor IR — dtypes, symbolic shapes, the `Expr` scalar language, the
 * built-in ops, graph passes (simplification, fusion and memory planning) and the float64 reference
 * interpreter. It knows nothing of WGSL or GPUs. The planner's internals (reduction domains,
 * epilogue layouts, thresholds), which code generators share with it, are in `@weft/ir/internal`.
 *
 * @packageDocumentation
 */

export * from './dim.js';
export * from './dtype.js';
export * from './edit-distance.js';
export * from './errors.js';
export * from './expr/evaluate-expr.js';
export * from './expr/expr.js';
export * from './expr/format-expr.js';
export { applyBinary, applyCast, applyUnary, isComparison, roundHalfEven } from './expr/scalar-functions.js';
export { simplifyExpr, simplifyNode } from './expr/simplify-expr.js';
export * from './expr/substitute-expr.js';
export * from './float-bits.js';
export * from './graph/graph.js';
export { canonicalAttrs, fnv1a64 } from './graph/hash.js';
export { inheritLabel, labelOf, nearestLabel, setLabel, withLabel } from './graph/label.js';
export { makeNode } from './graph/make-node.js';
export * from './graph/node.js';
export * from './interpret/interpret.js';
export { emptyTensor64, forEachLine, type LineLayout, lineLayout, tensor64 } from './interpret/tensor64.js';
export * from './ops/binary-ops.js';
export * from './ops/broadcast-op.js';
export * from './ops/builtin-ops.js';
export * from './ops/cast-op.js';
export * from './ops/concat-op.js';
export * from './ops/conv-ops.js';
export type { ConvGeometry } from './ops/conv-shape.js';
export { evaluateByLowering } from './ops/evaluate-lowered.js';
export type { Extension } from './ops/extension.js';
export * from './ops/gather-op.js';
export {
  addIndex,
  broadcastIndex,
  dimExpr,
  divIndex,
  elementCountExpr,
  flatIndex,
  indexConstant,
  indexVariable,
  modIndex,
  mulIndex,
  strideExprs,
  subIndex,
  unflattenIndex,
} from './ops/index-math.js';
export * from './ops/map-op.js';
export * from './ops/matmul-op.js';
export type {
  EvaluateEnv,
  FusionKind,
  OpContext,
  OpDef,
  PlacedIndex,
  Precision,
  Tensor64,
} from './ops/op-table.js';
export * from './ops/pad-op.js';
export * from './ops/permute-op.js';
export * from './ops/reduce-ops.js';
export * from './ops/reshape-op.js';
export * from './ops/scan-op.js';
export * from './ops/select-op.js';
export * from './ops/slice-op.js';
export * from './ops/source-groups.js';
export * from './ops/source-ops.js';
export * from './ops/topk-op.js';
export * from './ops/unary-ops.js';
export * from './passes/decompose-extension-ops.js';
export * from './passes/eliminate-dead-code.js';
export * from './passes/fold-constants.js';
export * from './passes/infer-and-validate.js';
export * from './passes/pipeline.js';
export * from './passes/rewrite.js';
export * from './passes/simplify.js';
export * from './passes/verify.js';
export { EXPR_OP_UNITS } from './plan/cost/element-cost.js';
export * from './plan/cost/fusion-cost-model.js';
export type { FusionDecision } from './plan/cost/fusion-decision.js';
export { type FusionOptions, planFusion } from './plan/fusion-planner.js';
export * from './plan/half-storage.js';
export { kernelBlockLabel, kernelSummary, kernelTitle } from './plan/kernel-label.js';
export * from './plan/kernel-plan.js';
export type {
  ElementwiseSchedule,
  KernelSchedule,
  MatmulSchedule,
  OpaqueSchedule,
  ReductionOutputPlacement,
  ReductionSchedule,
  RowStatisticSchedule,
} from './plan/kernel-schedule.js';
export * from './plan/memory-planner.js';
export type { ReductionDomain } from './plan/reduction-domain.js';
export type { StridedView, StrideTerm } from './plan/strided-view.js';
export * from './print/format-fusion-decisions.js';
export * from './print/format-graph.js';
export * from './print/format-kernel-plan.js';
export * from './print/format-table.js';
export * from './print/node-names.js';
export type { ExprJSON } from './serialize/expr-json.js';
export * from './serialize/graph-json.js';
export type { NumberJSON } from './serialize/json-number.js';
export * from './shape.js';
