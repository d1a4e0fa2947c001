/**
 * `@weft/attention/linear-kernels`: the WGSL templates of `@weft/attention/linear`'s ops and
 * {@link linearAttentionExtension}, the extension that `compile` and `graphFromJSON` take for
 * graphs with linear-attention nodes.
 *
 * @example
 * ```ts
 * import { linearAttentionExtension } from '@weft/attention/linear-kernels';
 * const program = await compile(graph, { device, extensions: [linearAttentionExtension] });
 * ```
 *
 * @packageDocumentation
 */

import type { KernelExtension } from '@weft/wgsl';
import { LINEAR_ATTENTION_OP, LINEAR_STATE_OP } from './linear/linear-attention-attrs.js';
import { linearAttentionOp, linearStateOp } from './linear/linear-attention-op.js';
import { LOG_LINEAR_OP, logLinearOp } from './linear/log-linear-op.js';
import { LINEAR_OUTPUT_NORM_OP, linearOutputNormOp } from './linear/output-norm-op.js';
import { generateLinearAttention } from './linear-kernel/linear-attention-template.js';
import { generateLinearState } from './linear-kernel/linear-state-template.js';
import { generateLogLinear } from './linear-kernel/log-linear-template.js';
import { generateLinearOutputNorm } from './linear-kernel/output-norm-template.js';

export { generateLinearAttention } from './linear-kernel/linear-attention-template.js';
export { generateLinearState } from './linear-kernel/linear-state-template.js';
export { type LinearTiles, linearTiles, MAX_VALUE_SLICE } from './linear-kernel/linear-tiles.js';
export {
  generateLogLinear,
  type LogLinearTiles,
  logLinearTiles,
} from './linear-kernel/log-linear-template.js';
export { generateLinearOutputNorm } from './linear-kernel/output-norm-template.js';

/**
 * The linear-attention extension: the `linearAttention`, `linearAttention.state`,
 * `linearAttention.outputNorm` and `linearAttention.logLinear` ops and their fused WGSL templates. Pass it with a graph that has linear-attention nodes:
 * `compile(graph, { device, extensions: [linearAttentionExtension] })`,
 * `graphFromJSON(json, { extensions: [linearAttentionExtension] })`.
 */
export const linearAttentionExtension: KernelExtension = {
  name: 'linearAttention',
  ops: [linearAttentionOp, linearStateOp, linearOutputNormOp, logLinearOp],
  templates: {
    [LINEAR_ATTENTION_OP]: generateLinearAttention,
    [LINEAR_STATE_OP]: generateLinearState,
    [LINEAR_OUTPUT_NORM_OP]: generateLinearOutputNorm,
    [LOG_LINEAR_OP]: generateLogLinear,
  },
};
