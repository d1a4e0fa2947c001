import * as v from 'valibot';
import { positiveInteger, positiveNumber, unitFraction } from './number-schemas.js';

/** The JSON schema version this package reads and writes. */
export const MODEL_SPEC_SCHEMA_VERSION = 1;

/** The feed-forward block: GELU MLP, or a gated one (SwiGLU, GeGLU) with `hidden` units. */
export const mlpSpecSchema = v.strictObject({
  kind: v.picklist(['swiglu', 'geglu', 'gelu']),
  hidden: positiveInteger(),
});

/**
 * The normalization: RMSNorm or LayerNorm with `eps`, placed before each sublayer (`pre`), after
 * each residual add (`post`) or both before and after each sublayer (`sandwich`).
 */
export const normSpecSchema = v.strictObject({
  kind: v.picklist(['rmsnorm', 'layernorm']),
  eps: v.optional(positiveNumber(), 1e-5),
  placement: v.optional(v.picklist(['pre', 'post', 'sandwich']), 'pre'),
});

/**
 * Positional information: rotary embeddings on a `fraction` of each head's dims, learned absolute
 * embeddings for up to `max` positions, fixed sinusoidal embeddings, ALiBi biases, or none.
 */
export const positionsSpecSchema = v.variant('kind', [
  v.strictObject({
    kind: v.literal('rope'),
    base: v.optional(positiveNumber(), 10000),
    fraction: v.optional(unitFraction(), 1),
  }),
  v.strictObject({ kind: v.literal('learned'), max: positiveInteger() }),
  v.strictObject({ kind: v.literal('sinusoidal') }),
  v.strictObject({ kind: v.literal('alibi') }),
  v.strictObject({ kind: v.literal('nope') }),
]);

/** The configuration of a decoder-only language model, with its cross-field rules. */
export const decoderLmConfigSchema = v.pipe(
  v.strictObject({
    vocabSize: positiveInteger(),
    dModel: positiveInteger(),
    layers: positiveInteger(),
    heads: positiveInteger(),
    kvHeads: positiveInteger(),
    headDim: positiveInteger(),
    mlp: mlpSpecSchema,
    norm: normSpecSchema,
    positions: positionsSpecSchema,
    maxSeq: positiveInteger(),
    tieEmbeddings: v.optional(v.boolean(), false),
  }),
  v.forward(
    v.check(
      (config) => config.heads % config.kvHeads === 0,
      (issue) =>
        `expected a positive integer dividing heads (${issue.input.heads}), got ${issue.input.kvHeads}`,
    ),
    ['kvHeads'],
  ),
  v.forward(
    v.check(
      (config) =>
        config.positions.kind !== 'rope' || isEvenInteger(config.headDim * config.positions.fraction),
      (issue) =>
        `expected a fraction giving an even number of rotary dims (headDim ${issue.input.headDim} × fraction), got ${
          issue.input.positions.kind === 'rope' ? issue.input.positions.fraction : ''
        }`,
    ),
    ['positions', 'fraction'],
  ),
  v.forward(
    v.check(
      (config) => config.positions.kind !== 'learned' || config.positions.max >= config.maxSeq,
      (issue) =>
        `expected at least maxSeq (${issue.input.maxSeq}) learned positions, got ${
          issue.input.positions.kind === 'learned' ? issue.input.positions.max : ''
        }`,
    ),
    ['positions', 'max'],
  ),
);

/** A versioned model spec document; `kind` selects the model family (`encoder` comes later). */
export const modelSpecSchema = v.variant('kind', [
  v.strictObject({
    schemaVersion: v.literal(
      MODEL_SPEC_SCHEMA_VERSION,
      (issue) =>
        `expected schemaVersion ${MODEL_SPEC_SCHEMA_VERSION} (the version this Weft reads), got ${issue.received}`,
    ),
    kind: v.literal('decoder-lm'),
    config: decoderLmConfigSchema,
  }),
]);

/** A validated model spec, with defaults filled in. */
export type ModelSpec = v.InferOutput<typeof modelSpecSchema>;

/** A model spec as written in JSON (fields with defaults may be omitted). */
export type ModelSpecInput = v.InferInput<typeof modelSpecSchema>;

/** The configuration of a decoder-only language model. */
export type DecoderLmConfig = v.InferOutput<typeof decoderLmConfigSchema>;

/** The feed-forward block of a transformer layer. */
export type MlpSpec = v.InferOutput<typeof mlpSpecSchema>;

/** The normalization layer kind, epsilon and placement. */
export type NormSpec = v.InferOutput<typeof normSpecSchema>;

/** How positions enter the model. */
export type PositionsSpec = v.InferOutput<typeof positionsSpecSchema>;

function isEvenInteger(value: number): boolean {
  return Number.isInteger(value) && value % 2 === 0;
}
