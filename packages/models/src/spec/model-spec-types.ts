/**
 * The model spec as TypeScript types. They are declared here, documented field by field, and
 * checked against the types the schema infers (see `model-spec-schema.ts`), so the two cannot
 * drift apart.
 */

/** A validated model spec, with defaults filled in (what `parseModelSpec` returns). */
export interface ModelSpec {
  /** The JSON Schema an editor validates the file with (ignored by Weft). */
  readonly $schema?: string | undefined;
  /** Version of the document format; this package reads version 1. */
  readonly schemaVersion: 1;
  /** The model family: a decoder-only language model (`encoder` comes later). */
  readonly kind: 'decoder-lm';
  /** The model's configuration. */
  readonly config: DecoderLmConfig;
}

/** A model spec as written in JSON: fields with defaults may be omitted. */
export interface ModelSpecInput {
  /** The JSON Schema an editor validates the file with (ignored by Weft). */
  readonly $schema?: string | undefined;
  /** Version of the document format; this package reads version 1. */
  readonly schemaVersion: 1;
  /** The model family: a decoder-only language model. */
  readonly kind: 'decoder-lm';
  /** The model's configuration. */
  readonly config: DecoderLmConfigInput;
}

/** The configuration of a decoder-only language model. */
export interface DecoderLmConfig {
  /** Number of tokens in the vocabulary. */
  readonly vocabSize: number;
  /** Width of the residual stream. */
  readonly dModel: number;
  /** Number of transformer layers. */
  readonly layers: number;
  /** Number of query heads. */
  readonly heads: number;
  /** Number of key/value heads; divides `heads` (equal: MHA, 1: MQA, otherwise GQA). */
  readonly kvHeads: number;
  /** Width of each head. */
  readonly headDim: number;
  /** The feed-forward block. */
  readonly mlp: MlpSpec;
  /** The normalization. */
  readonly norm: NormSpec;
  /** How positions enter the model. */
  readonly positions: PositionsSpec;
  /** Longest sequence the model is compiled for. */
  readonly maxSeq: number;
  /** Whether the LM head reuses the token embedding matrix. */
  readonly tieEmbeddings: boolean;
}

/** {@link DecoderLmConfig} as written in JSON. */
export interface DecoderLmConfigInput extends Omit<DecoderLmConfig, 'norm' | 'positions' | 'tieEmbeddings'> {
  /** The normalization. */
  readonly norm: NormSpecInput;
  /** How positions enter the model. */
  readonly positions: PositionsSpecInput;
  /** Whether the LM head reuses the token embedding matrix; default false. */
  readonly tieEmbeddings?: boolean | undefined;
}

/** The feed-forward block: GELU MLP, or a gated one (SwiGLU, GeGLU) with `hidden` units. */
export interface MlpSpec {
  /** `gelu`: `W₂·gelu(W₁x)`; `swiglu` / `geglu`: `W₂·(act(W_gate·x) ⊙ W_up·x)` with SiLU / GELU. */
  readonly kind: 'swiglu' | 'geglu' | 'gelu';
  /** Width of the hidden layer. */
  readonly hidden: number;
}

/** The normalization layer, its epsilon and its placement. */
export interface NormSpec {
  /** RMSNorm (gain only) or LayerNorm (gain and bias). */
  readonly kind: 'rmsnorm' | 'layernorm';
  /** Added to the variance before the square root. */
  readonly eps: number;
  /** `pre`: before each sublayer; `post`: after each residual add; `sandwich`: before and after each sublayer. */
  readonly placement: 'pre' | 'post' | 'sandwich';
}

/** {@link NormSpec} as written in JSON. */
export interface NormSpecInput {
  /** RMSNorm (gain only) or LayerNorm (gain and bias). */
  readonly kind: 'rmsnorm' | 'layernorm';
  /** Added to the variance before the square root; default 1e-5. */
  readonly eps?: number | undefined;
  /** Where norms sit; default `pre`. */
  readonly placement?: 'pre' | 'post' | 'sandwich' | undefined;
}

/** How positions enter the model. */
export type PositionsSpec = RopePositions | LearnedPositions | PositionsWithoutOptions;

/** {@link PositionsSpec} as written in JSON. */
export type PositionsSpecInput = RopePositionsInput | LearnedPositions | PositionsWithoutOptions;

/** Rotary embeddings (RoPE) on queries and keys. */
export interface RopePositions {
  /** Discriminator. */
  readonly kind: 'rope';
  /** Base of the rotation frequencies. */
  readonly base: number;
  /** Share of each head's dims that rotate (partial RoPE), in (0, 1]; `headDim × fraction` is even. */
  readonly fraction: number;
}

/** {@link RopePositions} as written in JSON. */
export interface RopePositionsInput {
  /** Discriminator. */
  readonly kind: 'rope';
  /** Base of the rotation frequencies; default 10000. */
  readonly base?: number | undefined;
  /** Share of each head's dims that rotate; default 1. */
  readonly fraction?: number | undefined;
}

/** Learned absolute position embeddings added to the token embeddings. */
export interface LearnedPositions {
  /** Discriminator. */
  readonly kind: 'learned';
  /** Number of positions with an embedding (at least `maxSeq`). */
  readonly max: number;
}

/** Sinusoidal embeddings (added to tokens), ALiBi score biases, or no positions at all (NoPE). */
export interface PositionsWithoutOptions {
  /** Which of the three. */
  readonly kind: 'sinusoidal' | 'alibi' | 'nope';
}
