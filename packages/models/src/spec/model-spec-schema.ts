import * as v from 'valibot';
import { positiveInteger, positiveNumber, unitFraction } from './number-schemas.js';

/** The JSON schema version this package reads and writes. */
export const MODEL_SPEC_SCHEMA_VERSION = 1;

/** The feed-forward block: GELU MLP, or a gated one (SwiGLU, GeGLU) with `hidden` units. */
const mlpSpecSchema = v.strictObject({
  /** `gelu`: `W₂·gelu(W₁x)`; `swiglu` / `geglu`: `W₂·(act(W_gate·x) ⊙ W_up·x)` with SiLU / GELU. */
  kind: v.picklist(['swiglu', 'geglu', 'gelu']),
  /** Width of the hidden layer. */
  hidden: positiveInteger(),
});

/** The normalization layer, its epsilon and its placement. */
const normSpecSchema = v.strictObject({
  /** RMSNorm (gain only) or LayerNorm (gain and bias). */
  kind: v.picklist(['rmsnorm', 'layernorm']),
  /** Added to the variance before the square root; default 1e-5. */
  eps: v.optional(positiveNumber(), 1e-5),
  /**
   * `pre`: before each sublayer; `post`: after each residual add; `sandwich`: before and after
   * each sublayer. Default `pre`.
   */
  placement: v.optional(v.picklist(['pre', 'post', 'sandwich']), 'pre'),
});

/** How positions enter the model. */
const positionsSpecSchema = v.variant('kind', [
  v.strictObject({
    /** Rotary embeddings (RoPE) on queries and keys. */
    kind: v.literal('rope'),
    /** Base of the rotation frequencies; default 10000. */
    base: v.optional(positiveNumber(), 10000),
    /** Share of each head's dims that rotate (partial RoPE), in (0, 1]; default 1. */
    fraction: v.optional(unitFraction(), 1),
  }),
  v.strictObject({
    /** Learned absolute position embeddings added to the token embeddings. */
    kind: v.literal('learned'),
    /** Number of positions with an embedding (at least `maxSeq`). */
    max: positiveInteger(),
  }),
  v.strictObject({
    /** Fixed sinusoidal embeddings added to the token embeddings. */
    kind: v.literal('sinusoidal'),
  }),
  v.strictObject({
    /** ALiBi: per-head linear biases on the attention scores. */
    kind: v.literal('alibi'),
  }),
  v.strictObject({
    /** No positional information (causal masking alone). */
    kind: v.literal('nope'),
  }),
]);

/** The configuration of a decoder-only language model, with its cross-field rules. */
const decoderLmConfigSchema = v.pipe(
  v.strictObject({
    /** Number of tokens in the vocabulary. */
    vocabSize: positiveInteger(),
    /** Width of the residual stream. */
    dModel: positiveInteger(),
    /** Number of transformer layers. */
    layers: positiveInteger(),
    /** Number of query heads. */
    heads: positiveInteger(),
    /** Number of key/value heads; divides `heads` (equal: MHA, 1: MQA, otherwise GQA). */
    kvHeads: positiveInteger(),
    /** Width of each head. */
    headDim: positiveInteger(),
    /** The feed-forward block. */
    mlp: mlpSpecSchema,
    /** The normalization. */
    norm: normSpecSchema,
    /** How positions enter the model. */
    positions: positionsSpecSchema,
    /** Longest sequence the model is compiled for. */
    maxSeq: positiveInteger(),
    /** Whether the LM head reuses the token embedding matrix; default false. */
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
    /** Version of the document format; this package reads {@link MODEL_SPEC_SCHEMA_VERSION}. */
    schemaVersion: v.literal(
      MODEL_SPEC_SCHEMA_VERSION,
      (issue) =>
        `expected schemaVersion ${MODEL_SPEC_SCHEMA_VERSION} (the version this Weft reads), got ${issue.received}`,
    ),
    /** The model family: a decoder-only language model. */
    kind: v.literal('decoder-lm'),
    /** The model's configuration. */
    config: decoderLmConfigSchema,
  }),
]);

/** A validated model spec, with defaults filled in (the output of `parseModelSpec`). */
export type ModelSpec = v.InferOutput<typeof modelSpecSchema>;

/** A model spec as written in JSON: fields with defaults may be omitted. */
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
