/**
 * `@weft/attention/linear`: linear attention as values — feature maps φ, the denominator, a
 * constant decay per head, causal or not — and its two ops, `linearAttention` (the output, with a
 * float64 O(N²) reference and a decomposition into built-in ops) and `linearAttention.state` (the
 * recurrent state for decoding). The kernels are in `@weft/attention/linear-kernels`.
 *
 * @example
 * ```ts
 * import { applyLinearAttention, elu1, linearAttention } from '@weft/attention/linear';
 * import { linearAttentionExtension } from '@weft/attention/linear-kernels';
 * const spec = linearAttention({ heads: 4, headDim: 16, featureMap: elu1(), causal: true });
 * const { output } = applyLinearAttention(spec, { query, key, value });
 * const program = await compile(makeGraph({ output }), { device, extensions: [linearAttentionExtension] });
 * ```
 *
 * @packageDocumentation
 */

export * from './linear/aaren-attention.js';
export * from './linear/aaren-recurrent.js';
export * from './linear/apply-linear-attention.js';
export * from './linear/efficient-attention.js';
export * from './linear/exp-features.js';
export * from './linear/favor-features.js';
export * from './linear/feature-expansions.js';
export * from './linear/feature-maps.js';
export { fenwickLevelCount } from './linear/fenwick-levels.js';
export * from './linear/galerkin-attention.js';
export * from './linear/gated-deltanet.js';
export * from './linear/latte-attention.js';
export * from './linear/lawcat.js';
export {
  decodeLinearAttention,
  decodeLinearState,
  LINEAR_ATTENTION_OP,
  LINEAR_STATE_OP,
  type LinearAttentionAttrs,
  type LinearStateAttrs,
} from './linear/linear-attention-attrs.js';
export { linearAttentionOp, linearStateOp } from './linear/linear-attention-op.js';
export * from './linear/linear-attention-spec.js';
export { LINEAR_ATTENTION_CATALOG } from './linear/linear-catalog.js';
export * from './linear/linear-decay.js';
export * from './linear/lln-features.js';
export * from './linear/log-linear-attention.js';
export * from './linear/log-linear-chunk-step.js';
export * from './linear/log-linear-decode.js';
export * from './linear/log-linear-gated-deltanet.js';
export * from './linear/log-linear-gates.js';
export { decodeLogLinear, LOG_LINEAR_OP, type LogLinearAttrs, logLinearOp } from './linear/log-linear-op.js';
export * from './linear/lrpe-features.js';
export * from './linear/mala-attention.js';
export * from './linear/mala-vision-block.js';
export * from './linear/mega-block.js';
export * from './linear/mega-ema.js';
export * from './linear/nala-features.js';
export * from './linear/nala-vision-block.js';
export * from './linear/norm-linear-attention.js';
export { type LinearOutputNorm, transnormerOutputNorm } from './linear/output-norm.js';
export { applyOutputNorm, LINEAR_OUTPUT_NORM_OP, linearOutputNormOp } from './linear/output-norm-op.js';
export { reglaRefinedGate } from './linear/regla-gate.js';
export {
  logCumSumExp,
  logSumExpOverPositions,
  type RunningMaxOperands,
  runningMaxOperands,
} from './linear/running-max.js';
