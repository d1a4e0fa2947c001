/**
 * `@weft/attention`: attention variants as values — heads (MHA, MQA, GQA, weighted GQA,
 * independent key and value head counts),
 * QK normalization, positions (1-D and 2-D RoPE, ALiBi, NoPE), score mods (scale, softcap, custom Exprs over captured tensors and the per-pair L1 distance), composable masks
 * that know their block sparsity, and normalizers (softmax with sinks, sigmoid, ReLU², l1 maps,
 * α-entmax, sparsemax, NAP, identity with an output norm, LSSA/LSSAR, Fastmax polynomials, Top-θ, Landmark grouped softmax). A spec becomes one `attention` IR op with a float64 reference, a
 * decomposition into primitive ops (the unfused baseline) and one fused flash-attention WGSL kernel,
 * which lives in the `@weft/attention/kernels` entry: pass its `attention` extension to `compile`
 * (and to `graphFromJSON`). This entry never loads the code generator.
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 8, kvHeads: 2, headDim: 64, positions: rope(), qkNorm: qkNorm(), mask: causal() });
 * const { output } = applyAttention(spec, { query, key, value });
 * ```
 *
 * @packageDocumentation
 */

export * from './apply-attention.js';
export { multiTokenParameterNames } from './apply-multi-token.js';
export * from './attention-column-sums.js';
export * from './attention-rollout.js';
export * from './attention-sorting.js';
export * from './catalog/attention-catalog.js';
export * from './compose/attention-free-ffn.js';
export * from './compose/attention-sink-calibration.js';
export * from './compose/channel-attention.js';
export * from './compose/delta-attention.js';
export * from './compose/dhsa.js';
export * from './compose/dual-attention.js';
export * from './compose/head-embeddings.js';
export * from './compose/hyper-attention.js';
export * from './compose/lama-pooling.js';
export * from './compose/layer-stack-attention.js';
export * from './compose/layerwise-shortcuts.js';
export * from './compose/linformer.js';
export * from './compose/mixture-of-heads.js';
export * from './compose/native-sparse-attention.js';
export * from './compose/normalized-attention-guidance.js';
export type { NsaCompressionMlp } from './compose/nsa-compression.js';
export type { NsaBlockTables } from './compose/nsa-selection.js';
export * from './compose/nystromformer.js';
export * from './compose/pay-better-attention.js';
export * from './compose/recurrent-memory-block.js';
export * from './compose/set-transformer.js';
export * from './compose/skim-attention.js';
export * from './compose/sparsek-attention.js';
export { fastmaxQueryKeyNorm } from './fastmax-query-key-norm.js';
export * from './landmark-retrieval.js';
export * from './masks/anchor-blocks.js';
export * from './masks/block-table.js';
export * from './masks/builtin-masks.js';
export * from './masks/combine-masks.js';
export * from './masks/custom-mask.js';
export * from './masks/flex-prefill-selection.js';
export type { FlexPrefillBlockTables } from './masks/flex-prefill-tables.js';
export * from './masks/key-lifetime.js';
export * from './masks/loki-selection.js';
export * from './masks/lte-key-lifetimes.js';
export * from './masks/mask.js';
export * from './masks/mask-from.js';
export * from './masks/mask-tiles.js';
export * from './masks/moba-selection.js';
export * from './masks/nats-key-lifetimes.js';
export * from './merge-attention.js';
export { BUILTIN_NORMALIZERS } from './normalizers/builtin-normalizers.js';
export { defineNormalizer, type NormalizerBuilder } from './normalizers/define-normalizer.js';
export type * from './normalizers/normalizer-def.js';
export { BUILTIN_NORMALIZER_TABLE, NormalizerTable } from './normalizers/normalizer-table.js';
export { FEATURE_INDEX, type PLaplacianAttrs } from './normalizers/p-laplacian-attrs.js';
export { type RowLocalNormalizerSpec, rowLocalNormalizer } from './normalizers/row-local.js';
export {
  ATTENTION_OP,
  type AttentionAttrs,
  type AttentionOutputKind,
  type AttentionReadoutKind,
  decodeAttention,
  type NormalizerAttrs,
  type QkNormAttrs,
  type QkNormSideAttrs,
  type RopeAttrs,
} from './op/attention-attrs.js';
export {
  type AttentionOpDef,
  attentionOp,
  attentionOpFor,
  attentionOpForNormalizer,
  inferAttention,
} from './op/attention-op.js';
export { type CapturedTensor, capturedTensors } from './op/captured-tensors.js';
export { decomposeAttention } from './op/decompose-attention.js';
export { evaluateAttention } from './op/evaluate-attention.js';
export { MULTI_TOKEN_OP, type MultiTokenAttrs, type MultiTokenResult } from './op/multi-token-attrs.js';
export { multiTokenOp } from './op/multi-token-op.js';
export {
  SPARSEK_THRESHOLD_OP,
  type SparseKThresholdAttrs,
  sparseKThreshold,
  sparseKThresholdOp,
  sparseKThresholdRow,
} from './op/sparsek-threshold-op.js';
export * from './qk-transforms-before-kernel.js';
export * from './query-key-magnitudes.js';
export * from './shift-rope-positions.js';
export * from './soft/newton-schulz-inverse.js';
export * from './soft/soft-nystrom-attention.js';
export * from './spec/additive-score.js';
export * from './spec/attention-spec.js';
export * from './spec/attention-variables.js';
export * from './spec/gaussian-kernel-score.js';
export * from './spec/heads.js';
export * from './spec/lightning-decay.js';
export * from './spec/multi-token.js';
export * from './spec/normalizers.js';
export * from './spec/pattern-injected-heads.js';
export * from './spec/positions.js';
export * from './spec/probabilistic-attention-score.js';
export * from './spec/qk-norm.js';
export * from './spec/score-mods.js';
export type { AxisRole, TensorUse } from './spec/tensor-use.js';
export * from './visual-sentinel.js';
