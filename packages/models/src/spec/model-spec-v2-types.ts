import type * as v from 'valibot';
import type { ModelSpec, ModelSpecInput } from './model-spec-types.js';
import type {
  blockAttentionSchema,
  blockMlpSchema,
  blockNormSchema,
  blockResidualSchema,
  decoderLmConfigV2Schema,
  embeddingPositionsSchema,
  layerOverrideSchema,
  layerSelectorSchema,
  modelSpecV2Schema,
} from './model-spec-v2-schema.js';

/**
 * A validated version-2 model spec (what `parseModelSpec` returns for `"schemaVersion": 2`): a
 * decoder LM whose blocks use the whole parts vocabulary, with per-layer overrides.
 */
export type ModelSpecV2 = v.InferOutput<typeof modelSpecV2Schema>;

/** A version-2 model spec as written in JSON (fields with defaults may be omitted). */
export type ModelSpecV2Input = v.InferInput<typeof modelSpecV2Schema>;

/** The configuration of a v2 decoder LM (see `decoderLmConfigV2Schema`). */
export type DecoderLmConfigV2 = v.InferOutput<typeof decoderLmConfigV2Schema>;

/** A block's self-attention in a v2 spec: an attention spec in JSON plus `causal`, `bias` and `outputBias`. */
export type BlockAttentionJSON = v.InferOutput<typeof blockAttentionSchema>;

/** A block's MLP in a v2 spec. */
export type BlockMlpJSON = v.InferOutput<typeof blockMlpSchema>;

/** A block's norm in a v2 spec: `{ layer, placement? }` or `{ kind: 'hypersphere', alphaScale? }`. */
export type BlockNormJSON = v.InferOutput<typeof blockNormSchema>;

/** A block's residual rule in a v2 spec. */
export type BlockResidualJSON = v.InferOutput<typeof blockResidualSchema>;

/** Absolute positions added to the token embeddings in a v2 spec. */
export type EmbeddingPositionsJSON = v.InferOutput<typeof embeddingPositionsSchema>;

/** A per-layer override of a v2 spec. */
export type LayerOverrideJSON = v.InferOutput<typeof layerOverrideSchema>;

/** The layers an override selects. */
export type LayerSelectorJSON = v.InferOutput<typeof layerSelectorSchema>;

/** A validated model spec of either version. */
export type AnyModelSpec = ModelSpec | ModelSpecV2;

/** A model spec of either version as written in JSON. */
export type AnyModelSpecInput = ModelSpecInput | ModelSpecV2Input;
