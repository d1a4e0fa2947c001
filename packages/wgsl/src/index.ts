/**
 * `@weft/wgsl`: Weft's code generator. A kernel plan from `@weft/ir` becomes deterministic,
 * readable WGSL modules — fused elementwise maps, row reductions (softmax, norms), matmuls (tiled,
 * or read straight from storage on a software adapter) with prologues and epilogues, reductions,
 * scans, convolutions and top-k — shaped by the device's limits and features. Pure and GPU-free.
 *
 * @packageDocumentation
 */

export { foldWorkgroups } from './dispatch-grid.js';
export { ElementComposer } from './element-composer.js';
export { type ExprEnvironment, type RenderedExprs, renderExprs } from './expr-to-wgsl.js';
export { fusionCostModelOf } from './fusion-costs.js';
export {
  generateKernel,
  generateProgram,
  type TemplateGenerator,
} from './generate-kernel.js';
export type { GenerateOptions, InputAccess } from './generate-options.js';
export * from './generated-kernel.js';
export { HALF_PRELUDE_END, HALF_PRELUDE_MARK, type HalfHooks, halfHooks } from './half-precision.js';
export { type EntryPoint, KernelContext } from './kernel-context.js';
export type { KernelExtension } from './kernel-extension.js';
export { layoutLength } from './layout-length.js';
export { constantDeclaration, type NamedConstant, namedConstant } from './named-constants.js';
export { sanitizeComment, sanitizeIdentifier, sanitizeLabel, sanitizeName } from './sanitize.js';
export { generateConv } from './templates/conv-template.js';
export { generateElementwise } from './templates/elementwise-template.js';
export { generateMatmul } from './templates/matmul-template.js';
export { generateReduce } from './templates/reduce-template.js';
export { generateRow } from './templates/row-template.js';
export { generateScan } from './templates/scan-template.js';
export { generateTopk } from './templates/topk-template.js';
export type { HalfStorage, StorageBinding, TensorBindingLayout, TensorSlot } from './tensor-bindings.js';
export { tensorDescription, tensorLabel, tensorUserName } from './tensor-bindings.js';
export { HelperSet } from './wgsl-helpers.js';
