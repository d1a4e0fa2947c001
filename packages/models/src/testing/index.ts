/**
 * Test helpers of `@weft/models` (`@weft/models/test`): tiny model specs and architecture
 * definitions small enough for the software adapter.
 *
 * @packageDocumentation
 */

export {
  CONDITIONED_DECODER,
  CONDITIONED_DECODER_SPEC,
  CONDITIONED_DECODER_TASK_LAYER,
} from './conditioned-decoder.js';
export { type ConditionedSample, conditionedDecoderForwardFloat64 } from './conditioned-decoder-forward.js';
export { type DecoderPrograms, decodeVersusRecomputePrograms } from './decode-versus-recompute.js';
export * from './hugging-face-checkpoint.js';
export * from './hugging-face-decoder-checkpoint.js';
export * from './hugging-face-decoder-forward.js';
export * from './hugging-face-encoder-forwards.js';
export * from './hugging-face-encoders.js';
export * from './hugging-face-gpt2-checkpoint.js';
export * from './hugging-face-gpt2-forward.js';
export * from './hugging-face-llama-forward.js';
export { HYBRID_DECODER, HYBRID_DECODER_SPEC } from './hybrid-decoder.js';
export {
  LINEAR_HYBRID_DECAY_LAYER,
  LINEAR_HYBRID_DECODER,
  LINEAR_HYBRID_DECODER_SPEC,
  LINEAR_HYBRID_SOFTMAX_LAYER,
} from './linear-hybrid-decoder.js';
export { linearHybridForwardFloat64 } from './linear-hybrid-decoder-forward.js';
export {
  LOG_LINEAR_HYBRID_CHUNKS,
  LOG_LINEAR_HYBRID_DECODER,
  LOG_LINEAR_HYBRID_DECODER_SPEC,
  LOG_LINEAR_HYBRID_SOFTMAX_LAYER,
} from './log-linear-hybrid-decoder.js';
export { logLinearHybridForwardFloat64 } from './log-linear-hybrid-decoder-forward.js';
export {
  MEGA_HYBRID_DECODER,
  MEGA_HYBRID_DECODER_SPEC,
  MEGA_HYBRID_LAPLACE_LAYER,
  MEGA_HYBRID_SIZES,
  MEGA_HYBRID_SOFTMAX_LAYER,
} from './mega-hybrid-decoder.js';
export { megaHybridForwardFloat64 } from './mega-hybrid-decoder-forward.js';
export { SINK_DECODER, SINK_DECODER_SPEC, SINK_DECODER_WINDOW_LAYER } from './sink-decoder.js';
export { type NamedParameters, sinkDecoderForwardFloat64 } from './sink-decoder-forward.js';
export {
  TINY_DIT_SPEC,
  TINY_ENCODER_DECODER_SPEC,
  TINY_ENCODER_SPEC,
  TINY_VIT_SPEC,
} from './tiny-architecture-specs.js';
export {
  TINY_DIT,
  TINY_DIT_CLASSES,
  TINY_ENCODER,
  TINY_ENCODER_DECODER,
  TINY_VIT,
  TINY_VIT_ROPE,
} from './tiny-architectures.js';
export * from './tiny-gpt2-tokenizer.js';
export { TINY_GPT, TINY_LLAMA } from './tiny-specs.js';
export * from './tiny-tokenizer.js';
export * from './tiny-word-piece-tokenizer.js';
