import * as v from 'valibot';
import type { EncoderDecoderDefinition } from '../../architectures/encoder-decoder.js';
import type { EncoderDecoderBlockOptions } from '../../blocks/stacks.js';
import { blockNormOf, normLayerOfJSON } from '../../model/decoder-definition-v2.js';
import { MODEL_SPEC_LIMITS } from '../model-spec-schema.js';
import {
  blockMlpSchema,
  blockNormSchema,
  blockResidualSchema,
  embeddingPositionsSchema,
  MODEL_SPEC_V2_SCHEMA_VERSION,
} from '../model-spec-v2-schema.js';
import { positiveInteger } from '../number-schemas.js';
import { hasTensorRefs } from '../parts/model-attention-tensors.js';
import { normLayerSchema } from '../parts/norm-layer-json.js';
import {
  architectureAttentionSchema,
  attentionOverridesSchema,
  mlpOptionsOfJSON,
  stackAttentionOf,
} from './architecture-parts.js';

/**
 * The encoder stack of an encoder–decoder: `layers` bidirectional blocks with their attention,
 * MLP, norm (`{ layer, placement }` or the hypersphere, as in `decoder-lm`) and residual rule;
 * `overrides` change the attention of the layers they select.
 */
export const encoderStackSchema = v.strictObject({
  layers: positiveInteger(MODEL_SPEC_LIMITS.layers),
  attention: architectureAttentionSchema,
  mlp: blockMlpSchema,
  norm: blockNormSchema,
  residual: v.optional(blockResidualSchema),
  overrides: attentionOverridesSchema,
});

/**
 * The decoder stack of an encoder–decoder: `layers` blocks of causal self-attention,
 * cross-attention to the encoder output (with the self-attention's heads and head dim) and the
 * MLP. Each section left out is the encoder stack's.
 */
export const decoderStackSchema = v.strictObject({
  layers: positiveInteger(MODEL_SPEC_LIMITS.layers),
  attention: v.optional(architectureAttentionSchema),
  mlp: v.optional(blockMlpSchema),
  norm: v.optional(blockNormSchema),
  residual: v.optional(blockResidualSchema),
  overrides: attentionOverridesSchema,
});

/**
 * The configuration of an encoder–decoder transformer (`buildEncoderDecoderGraph`): source and
 * target vocabularies, the two stacks, the norm after each stack (`finalNorm`, none when absent),
 * absolute positions added to both embeddings, and whether the LM head reuses the target embedding.
 */
export const encoderDecoderConfigSchema = v.pipe(
  v.strictObject({
    sourceVocabSize: positiveInteger(MODEL_SPEC_LIMITS.vocabSize),
    targetVocabSize: positiveInteger(MODEL_SPEC_LIMITS.vocabSize),
    dModel: positiveInteger(MODEL_SPEC_LIMITS.dModel),
    maxSourceSeq: positiveInteger(MODEL_SPEC_LIMITS.maxSeq),
    maxTargetSeq: positiveInteger(MODEL_SPEC_LIMITS.maxSeq),
    encoder: encoderStackSchema,
    decoder: decoderStackSchema,
    finalNorm: v.optional(normLayerSchema),
    positions: v.optional(embeddingPositionsSchema),
    tieEmbeddings: v.optional(v.boolean()),
  }),
  v.forward(
    v.check(
      (config) =>
        config.positions?.kind !== 'learned' ||
        config.positions.max >= Math.max(config.maxSourceSeq, config.maxTargetSeq),
      (issue) =>
        `expected at least max(maxSourceSeq, maxTargetSeq) (${Math.max(issue.input.maxSourceSeq, issue.input.maxTargetSeq)}) learned positions, got ${
          issue.input.positions?.kind === 'learned' ? issue.input.positions.max : ''
        }`,
    ),
    ['positions', 'max'],
  ),
);

/** An encoder–decoder spec document: `{ "$schema"?, "schemaVersion": 2, "kind": "encoder-decoder", "config" }`. */
export const encoderDecoderSpecSchema = v.strictObject({
  $schema: v.optional(v.string()),
  schemaVersion: v.literal(MODEL_SPEC_V2_SCHEMA_VERSION),
  kind: v.literal('encoder-decoder'),
  config: encoderDecoderConfigSchema,
});

/** A validated encoder–decoder spec. */
export type EncoderDecoderSpec = v.InferOutput<typeof encoderDecoderSpecSchema>;

/** An encoder–decoder spec as written in JSON. */
export type EncoderDecoderSpecInput = v.InferInput<typeof encoderDecoderSpecSchema>;

/** The configuration of an encoder–decoder spec. */
export type EncoderDecoderConfigJSON = v.InferOutput<typeof encoderDecoderConfigSchema>;

/**
 * The {@link EncoderDecoderDefinition} an encoder–decoder config describes (build its programs
 * with `buildEncoderDecoderGraph`).
 *
 * @throws SpecError with the JSON path of an attention section whose builder refused it.
 *
 * @example
 * ```ts fragment
 * const spec = parseSpecDocumentJSON(readFileSync('encoder-decoder.json', 'utf8'));
 * if (spec.kind === 'encoder-decoder')
 *   buildEncoderDecoderGraph(encoderDecoderDefinitionOfJSON(spec.config), { mode: 'forward' });
 * ```
 */
export function encoderDecoderDefinitionOfJSON(config: EncoderDecoderConfigJSON): EncoderDecoderDefinition {
  const { encoder, decoder } = config;
  const encoderBlock: EncoderDecoderBlockOptions = {
    attention: stackAttentionOf(
      encoder.attention,
      encoder.overrides,
      encoder.layers,
      'config.encoder',
      'encoder.layers',
    ),
    mlp: mlpOptionsOfJSON(encoder.mlp),
    norm: blockNormOf(encoder.norm),
    ...(encoder.residual === undefined ? {} : { residual: { kind: encoder.residual.kind } }),
  };
  // Tensor references name per-layer parameters of each stack: a decoder like the encoder then
  // builds its own blocks, with the encoder's overrides, so that its parameters are its own.
  const likeEncoder = [
    decoder.attention,
    decoder.mlp,
    decoder.norm,
    decoder.residual,
    decoder.overrides,
  ].every((section) => section === undefined);
  const encoderTensors = hasTensorRefs([encoder.attention, encoder.overrides ?? []]);
  const ownDecoder =
    (likeEncoder && encoderTensors) ||
    decoder.attention !== undefined ||
    decoder.mlp !== undefined ||
    decoder.norm !== undefined ||
    decoder.residual !== undefined ||
    decoder.overrides !== undefined;
  const residual = decoder.residual ?? encoder.residual;
  const decoderBlock: EncoderDecoderBlockOptions | undefined = ownDecoder
    ? {
        attention: stackAttentionOf(
          decoder.attention ?? encoder.attention,
          likeEncoder ? encoder.overrides : decoder.overrides,
          decoder.layers,
          'config.decoder',
          'decoder.layers',
        ),
        mlp: mlpOptionsOfJSON(decoder.mlp ?? encoder.mlp),
        norm: blockNormOf(decoder.norm ?? encoder.norm),
        ...(residual === undefined ? {} : { residual: { kind: residual.kind } }),
      }
    : undefined;
  return {
    sourceVocabSize: config.sourceVocabSize,
    targetVocabSize: config.targetVocabSize,
    dModel: config.dModel,
    encoderLayers: encoder.layers,
    decoderLayers: decoder.layers,
    maxSourceSeq: config.maxSourceSeq,
    maxTargetSeq: config.maxTargetSeq,
    encoderBlock,
    ...(decoderBlock === undefined ? {} : { decoderBlock }),
    ...(config.finalNorm === undefined ? {} : { finalNorm: normLayerOfJSON(config.finalNorm) }),
    ...(config.positions === undefined ? {} : { embeddingPositions: config.positions }),
    ...(config.tieEmbeddings === undefined ? {} : { tieEmbeddings: config.tieEmbeddings }),
  };
}
