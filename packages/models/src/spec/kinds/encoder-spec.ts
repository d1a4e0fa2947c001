import * as v from 'valibot';
import type { EncoderDefinition } from '../../architectures/encoder.js';
import { normLayerOfJSON } from '../../model/decoder-definition-v2.js';
import { MODEL_SPEC_LIMITS } from '../model-spec-schema.js';
import { blockMlpSchema, MODEL_SPEC_V2_SCHEMA_VERSION } from '../model-spec-v2-schema.js';
import { positiveInteger } from '../number-schemas.js';
import { normLayerSchema } from '../parts/norm-layer-json.js';
import {
  architectureAttentionSchema,
  attentionOverridesSchema,
  mlpOptionsOfJSON,
  stackAttentionOf,
} from './architecture-parts.js';

/**
 * The configuration of a BERT-style encoder (`buildEncoderGraph`): token, learned position (and
 * token type) embeddings, post-norm bidirectional blocks with a key padding mask, a pooled output.
 * `norm` is the norm layer of every slot (default LayerNorm, ε 1e-12); `overrides` change the
 * attention of the layers they select.
 */
export const encoderConfigSchema = v.strictObject({
  vocabSize: positiveInteger(MODEL_SPEC_LIMITS.vocabSize),
  dModel: positiveInteger(MODEL_SPEC_LIMITS.dModel),
  layers: positiveInteger(MODEL_SPEC_LIMITS.layers),
  maxSeq: positiveInteger(MODEL_SPEC_LIMITS.learnedPositions),
  typeVocabSize: v.optional(positiveInteger(MODEL_SPEC_LIMITS.vocabSize)),
  attention: architectureAttentionSchema,
  mlp: blockMlpSchema,
  norm: v.optional(normLayerSchema),
  pooler: v.optional(v.boolean()),
  overrides: attentionOverridesSchema,
});

/** An encoder spec document: `{ "$schema"?, "schemaVersion": 2, "kind": "encoder", "config" }`. */
export const encoderSpecSchema = v.strictObject({
  $schema: v.optional(v.string()),
  schemaVersion: v.literal(MODEL_SPEC_V2_SCHEMA_VERSION),
  kind: v.literal('encoder'),
  config: encoderConfigSchema,
});

/** A validated encoder spec. */
export type EncoderSpec = v.InferOutput<typeof encoderSpecSchema>;

/** An encoder spec as written in JSON. */
export type EncoderSpecInput = v.InferInput<typeof encoderSpecSchema>;

/** The configuration of an encoder spec. */
export type EncoderConfigJSON = v.InferOutput<typeof encoderConfigSchema>;

/**
 * The {@link EncoderDefinition} an encoder config describes (build it with `buildEncoderGraph`).
 *
 * @throws SpecError with the JSON path of an attention section whose builder refused it.
 *
 * @example
 * ```ts fragment
 * const spec = parseSpecDocumentJSON(readFileSync('bert-encoder.json', 'utf8'));
 * if (spec.kind === 'encoder') buildEncoderGraph(encoderDefinitionOfJSON(spec.config), { batch: 2 });
 * ```
 */
export function encoderDefinitionOfJSON(config: EncoderConfigJSON): EncoderDefinition {
  return {
    vocabSize: config.vocabSize,
    dModel: config.dModel,
    layers: config.layers,
    maxSeq: config.maxSeq,
    attention: stackAttentionOf(config.attention, config.overrides, config.layers, 'config', 'layers'),
    mlp: mlpOptionsOfJSON(config.mlp),
    ...(config.norm === undefined ? {} : { norm: normLayerOfJSON(config.norm) }),
    ...(config.typeVocabSize === undefined ? {} : { typeVocabSize: config.typeVocabSize }),
    ...(config.pooler === undefined ? {} : { pooler: config.pooler }),
  };
}
