export * from './attention-json.js';
export {
  type AttentionJSON,
  attentionMaskSchema,
  attentionSpecSchema,
  qkNormSchema,
  weightedGqaSchema,
} from './attention-json-schema.js';
export {
  LEAF_MASK_SCHEMAS,
  type LeafMaskJSON,
  MASK_KINDS,
  type MaskFactory,
  type MaskJSON,
} from './mask-json.js';
export * from './norm-layer-json.js';
export {
  type AnyNormalizerBuilder,
  NORMALIZER_KINDS,
  NORMALIZER_SCHEMAS,
  type NormalizerJSON,
} from './normalizer-json.js';
export { POSITION_KINDS, type PositionJSON, positionSchema } from './position-json.js';
export {
  type PatternInjectedHeadsJSON,
  patternInjectedHeadsSchema,
  SCORE_MOD_KINDS,
  SCORE_MOD_SCHEMAS,
  type ScoreModFactory,
  type ScoreModJSON,
} from './score-json.js';
export {
  type HeadParameterJSON,
  headParameterSchema,
  type TensorRefJSON,
  tensorRefSchema,
} from './tensor-ref-json.js';
