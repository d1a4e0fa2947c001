/**
 * `@weft/models`: the model level of Weft — blocks (embeddings, attention with a KV cache, MLPs,
 * transformer blocks with the norm placement as a value, cross-attention, encoder and decoder
 * stacks, LM head), `compileModel` with prefill + decode generation on the GPU, model specs as
 * typed values and as versioned, schema-validated JSON (decoder LMs, and the encoder, ViT, DiT and
 * encoder–decoder kinds of `parseSpecDocument`); attention specs and norm layers as JSON
 * (`attentionFromJSON`, `normLayerFromJSON`, with published JSON Schema files); weights I/O in
 * the safetensors format with strict header checks; names mapped from PyTorch-style state dicts;
 * seeded initialization.
 *
 * @example
 * ```ts
 * const model = await compileModel(parseModelSpecJSON(text), { device: 'auto', seed: 1 });
 * const { tokens } = await model.generate([1, 2, 3], { maxTokens: 32, onToken: (t) => console.log(t) });
 * ```
 *
 * @packageDocumentation
 */

export {
  bfloat16BitsToFloat32,
  float16BitsToFloat32,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
} from '@weft/ir';
export * from './architectures/dit.js';
export * from './architectures/encoder.js';
export * from './architectures/encoder-decoder.js';
export * from './architectures/vit.js';
export {
  type AttentionBlockSettings,
  type AttentionParts,
  attentionOptionsOf,
  type BlockAttention,
  isAttentionSpec,
  type SelfAttentionParts,
} from './blocks/attention-part.js';
export type {
  BlockNorm,
  HypersphereBlockNorm,
  NormPlacement,
} from './blocks/block-norm.js';
export * from './blocks/conditional-norm-layers.js';
export * from './blocks/cross-attention.js';
export * from './blocks/heads.js';
export * from './blocks/heavy-hitter-cache-attention.js';
export * from './blocks/heavy-hitter-kv-cache.js';
export * from './blocks/kv-cache.js';
export * from './blocks/landmark-cache-attention.js';
export * from './blocks/landmark-kv-cache.js';
export * from './blocks/linear.js';
export * from './blocks/linear-attention-block.js';
export * from './blocks/lm-head.js';
export * from './blocks/log-linear-attention-block.js';
export * from './blocks/lte-cache-attention.js';
export * from './blocks/lte-kv-cache.js';
export * from './blocks/lte-router-step.js';
export * from './blocks/mega-layer.js';
export * from './blocks/mlp.js';
export * from './blocks/nats-cache-attention.js';
export * from './blocks/nats-kv-cache.js';
export * from './blocks/norm-layer.js';
export {
  type FixNormLayerOptions,
  fixNormLayer,
  type HypersphereNormLayerOptions,
  hypersphereNormLayer,
  type L2NormLayerOptions,
  type LayerNormLayerOptions,
  l2NormLayer,
  layerNormLayer,
  type RmsNormLayerOptions,
  rmsNormLayer,
  rowNormLayer,
  type ScaleNormLayerOptions,
  type SimpleRmsNormLayerOptions,
  scaleNormLayer,
  simpleRmsNormLayer,
} from './blocks/norm-layers.js';
export * from './blocks/parameter-path.js';
export * from './blocks/residual.js';
export * from './blocks/rolling-cache-attention.js';
export * from './blocks/rolling-kv-cache.js';
export {
  type BlockSelfAttention,
  type CacheState,
  type SelfAttentionOptions,
  type SelfAttentionResult,
  type SelfAttentionSlot,
  selfAttention,
} from './blocks/self-attention.js';
export * from './blocks/slice-axis.js';
export * from './blocks/slot-compaction.js';
export * from './blocks/stacks.js';
export * from './blocks/static-dim.js';
export * from './blocks/token-embedding.js';
export * from './blocks/transformer-block.js';
export * from './generate/cache-policy.js';
export * from './generate/generate-tokens.js';
export * from './generate/inference-cache.js';
export * from './generate/sampling.js';
export * from './model/architecture-graph.js';
export * from './model/compile-architecture.js';
export * from './model/compile-model.js';
export * from './model/decoder-conditioning.js';
export * from './model/decoder-definition-v2.js';
export * from './model/decoder-lm-graph.js';
export * from './model/memory-estimate.js';
export * from './model/model-definition.js';
export * from './model/model-device.js';
export * from './model/model-parameters.js';
export * from './spec/conditioning-schema.js';
export { formatPath } from './spec/format-issues.js';
export * from './spec/kinds/index.js';
export * from './spec/layer-overrides.js';
export * from './spec/model-spec-json.js';
export { MODEL_SPEC_LIMITS, MODEL_SPEC_SCHEMA_VERSION } from './spec/model-spec-schema.js';
export * from './spec/model-spec-types.js';
export * from './spec/model-spec-v2-schema.js';
export * from './spec/model-spec-v2-types.js';
export * from './spec/parts/index.js';
export * from './spec/spec-document.js';
export * from './weights/fuse-projections.js';
export * from './weights/model-weights.js';
export * from './weights/random-init.js';
export * from './weights/safetensors.js';
export * from './weights/safetensors-dtypes.js';
export * from './weights/safetensors-header.js';
export * from './weights/seeded-random.js';
export * from './weights/state-dict-names.js';
