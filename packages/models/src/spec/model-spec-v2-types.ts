/**
 * The version-2 model spec as TypeScript types. They are declared here, field by field, rather than
 * inferred from the valibot schema: an inferred type is written out whole in the published
 * declaration files, where a user's compiler gives up on it as too deep. `model-spec-v2-schema.ts`
 * checks that they are exactly what the schema accepts and produces, so the two cannot drift apart.
 */

import type { ConditionalNormLayerJSON, DecoderConditioningJSON } from './conditioning-schema.js';
import type { ModelSpec, ModelSpecInput } from './model-spec-types.js';
import type { MaskJSON } from './parts/mask-json.js';
import type { NormLayerJSON } from './parts/norm-layer-json.js';
import type { NormalizerJSON } from './parts/normalizer-json.js';
import type { PositionJSON } from './parts/position-json.js';
import type { ScoreModJSON } from './parts/score-json.js';

/** A part of the user's own kind in JSON: its `kind` and any options (its factory checks them). */
export interface UserPartJSON {
  /** The name the part was registered under. */
  readonly kind: string;
  /** The part's options. */
  readonly [option: string]: unknown;
}

/** Weighted GQA in JSON: `{ "kind": "weightedGqa", "heads": 8, "kvHeads": 2, "weights": "learned" }`. */
export interface WeightedGqaJSON {
  /** Discriminator. */
  readonly kind: 'weightedGqa';
  /** Number of query heads. */
  readonly heads: number;
  /** Number of key/value heads. */
  readonly kvHeads: number;
  /** How the heads of a group are weighted. */
  readonly weights: 'learned';
}

/** QK normalization in JSON: the options of `qkNorm()` (`{ "kind": "rms", "scale": "vector", "eps": 1e-6 }`). */
export interface QkNormJSON {
  /** The norm applied to queries and keys. */
  readonly kind?: 'l2' | 'rms' | 'layer' | undefined;
  /** The learned scale after the norm. */
  readonly scale?: 'none' | 'scalar' | 'vector' | undefined;
  /** Added to the variance before the square root. */
  readonly eps?: number | undefined;
  /** Whether the norm has a bias. */
  readonly bias?: boolean | undefined;
}

/**
 * A block's self-attention in a v2 spec: an attention spec in JSON (every part
 * `{ "kind": <builder name>, ...options }`, no `outputs`) plus `causal` (default true), `bias` (a QKV
 * bias, default false) and `outputBias` (a bias of the output projection, default false).
 */
export interface BlockAttentionJSON {
  /** Number of query heads, or a weighted GQA head layout. */
  readonly heads: number | WeightedGqaJSON;
  /** Number of key/value heads. */
  readonly kvHeads?: number | undefined;
  /** Number of value heads. */
  readonly valueHeads?: number | undefined;
  /** Width of each query/key head. */
  readonly headDim: number;
  /** Width of each value head. */
  readonly valueDim?: number | undefined;
  /** How positions enter the scores (RoPE, ALiBi, NoPE). */
  readonly positions?: PositionJSON | undefined;
  /** Normalization of queries and keys. */
  readonly qkNorm?: QkNormJSON | undefined;
  /** One score mod or several, applied in order. */
  readonly score?: ScoreModJSON | UserPartJSON | (ScoreModJSON | UserPartJSON)[] | undefined;
  /** Which scores are kept. */
  readonly mask?: MaskJSON | undefined;
  /** What turns scores into weights (default softmax). */
  readonly normalizer?: NormalizerJSON | UserPartJSON | undefined;
  /** Whether the block's attention is causal; default true. */
  readonly causal?: boolean | undefined;
  /** Whether the QKV projections have a bias; default false. */
  readonly bias?: boolean | undefined;
  /** Whether the output projection has a bias; default false. */
  readonly outputBias?: boolean | undefined;
  /**
   * Makes the layer a causal linear attention (decoder-lm only): heads, headDim and valueDim
   * from this section, no softmax keys beside it. Decoding keeps its state S (and z), not a KV cache.
   */
  readonly linear?: LinearAttentionJSON | undefined;
  /**
   * Makes the layer Mega's moving-average gated attention block (decoder-lm only): one head
   * (`heads` 1) with zDim = `headDim` and hDim = `valueDim`, no softmax keys beside it; the block
   * replaces the attention sublayer and its residual. Decoding keeps the EMA's h and the head's keys and values.
   */
  readonly mega?: MegaLayerJSON | undefined;
}

/** A decoder layer's Mega block in JSON (see `megaLayer`). */
export interface MegaLayerJSON {
  /** EMA components per channel (fairseq `ndim`). */
  readonly components: number;
  /** `softmax` (default), `laplace` or `relu2`. */
  readonly attentionFunction?: 'softmax' | 'laplace' | 'relu2' | undefined;
  /** Size P of the relative-position table `[2P − 1]`; default and least the model's `maxSeq`. */
  readonly maxPositions?: number | undefined;
  /** Positions per chunk of the EMA's causal sweep (1–64). */
  readonly chunkSize?: number | undefined;
  /** fairseq's chunked attention (Mega-chunk): a query sees the keys of its chunk of this many positions only. */
  readonly attentionChunk?: number | undefined;
}

/** A decoder layer's linear attention in JSON (see `linearAttention` of `@weft/attention/linear`). */
export interface LinearAttentionJSON {
  /** `"log-linear"`: log-linear attention (catalog paper 109), which takes `chunkSize` only. */
  readonly kind?: 'log-linear' | undefined;
  /** φ applied to queries and keys; default ELU+1. */
  readonly featureMap?: { readonly kind: 'elu1' | 'relu' | 'identity' } | undefined;
  /** A row-wise feature expansion before φ: NaLaFormer's norm-aware features (2·d_k per row). */
  readonly featureExpansion?: { readonly kind: 'nala' } | undefined;
  /** `false` for none (retention, Lightning), or the ε of Σ w + ε; default `{ epsilon: 1e-6 }`. */
  readonly denominator?: false | { readonly epsilon: number } | undefined;
  /** A constant decay per head: Lightning's slopes (by layer), RetNet's, or given rates in (0, 1]. */
  readonly decay?:
    | { readonly kind: 'lightning' }
    | { readonly kind: 'retention' }
    | { readonly kind: 'constant'; readonly rates: number[] }
    | undefined;
  /** TransNormer's NormAttention output norm. */
  readonly outputNorm?: { readonly kind: 'transnormer' } | undefined;
  /** Positions per chunk of the causal sweep (1–64). */
  readonly chunkSize?: number | undefined;
}

/** A block's MLP in a v2 spec: `gelu`, `relu2`, `swiglu` or `geglu` with `hidden` units. */
export interface BlockMlpJSON {
  /** The feed-forward form. */
  readonly kind: 'gelu' | 'relu2' | 'swiglu' | 'geglu';
  /** Width of the hidden layer. */
  readonly hidden: number;
  /** Whether the projections have biases. */
  readonly bias?: boolean | undefined;
  /** For `gelu`/`geglu`: the exact GELU (`none`, default) or its tanh approximation. */
  readonly approximate?: 'none' | 'tanh' | undefined;
}

/** A block's norm in a v2 spec: `{ layer, placement? }` or `{ kind: 'hypersphere', alphaScale? }`. */
export type BlockNormJSON<Layer = NormLayerJSON> = BlockNormLayerJSON<Layer> | HypersphereBlockJSON;

/** A norm layer of a `decoder-lm` block: one of the norm-layer vocabulary or a conditional one (`adaLn`, `taskLayerNorm`). */
export type DecoderNormLayerJSON = NormLayerJSON | ConditionalNormLayerJSON;

/** A norm layer and where it sits in the block. */
export interface BlockNormLayerJSON<Layer = NormLayerJSON> {
  /** The norm layer. */
  readonly layer: Layer;
  /** `pre` (default), `post` or `sandwich`. */
  readonly placement?: 'pre' | 'post' | 'sandwich' | undefined;
}

/** nGPT's hypersphere block. */
export interface HypersphereBlockJSON {
  /** Discriminator. */
  readonly kind: 'hypersphere';
  /** Scale of the learned step sizes. */
  readonly alphaScale?: number | undefined;
}

/** A block's residual rule in a v2 spec: `add` or `layerScale` (a learned per-channel scale). */
export interface BlockResidualJSON {
  /** The residual rule. */
  readonly kind: 'add' | 'layerScale';
}

/** A `decoder-lm` block's residual rule: those of {@link BlockResidualJSON} or DiT's `adaLnZero` (gates from the conditioning vector). */
export interface DecoderResidualJSON {
  /** The residual rule. */
  readonly kind: 'add' | 'layerScale' | 'adaLnZero';
}

/** Absolute positions added to the token embeddings in a v2 spec. */
export type EmbeddingPositionsJSON =
  | {
      /** Learned position embeddings. */
      readonly kind: 'learned';
      /** Number of positions with an embedding (at least `maxSeq`). */
      readonly max: number;
    }
  | {
      /** Sinusoidal position embeddings. */
      readonly kind: 'sinusoidal';
    };

/** The layers an override selects: `"all"`, `"even"`, `"odd"`, layer indices, or every `every`-th layer from `offset`. */
export type LayerSelectorJSON =
  | 'all'
  | 'even'
  | 'odd'
  | number[]
  | {
      /** The stride. */
      readonly every: number;
      /** The first layer selected; default 0. */
      readonly offset?: number | undefined;
    };

/**
 * The attention keys an override changes: a new value, or `null` to remove an optional key
 * (`heads` and `headDim` are required, so they cannot be removed).
 */
export type AttentionPatchJSON = {
  readonly [K in keyof BlockAttentionJSON]?: K extends 'heads' | 'headDim'
    ? BlockAttentionJSON[K] | undefined
    : Exclude<BlockAttentionJSON[K], undefined> | null | undefined;
};

/** The MLP keys an override changes: a new value, or `null` to remove an optional key. */
export interface MlpPatchJSON {
  /** The feed-forward form. */
  readonly kind?: BlockMlpJSON['kind'] | undefined;
  /** Width of the hidden layer. */
  readonly hidden?: number | undefined;
  /** Whether the projections have biases. */
  readonly bias?: boolean | null | undefined;
  /** The GELU form. */
  readonly approximate?: 'none' | 'tanh' | null | undefined;
}

/** A per-layer override of a v2 spec: the layers it selects and the block sections it changes there. */
export interface LayerOverrideJSON {
  /** The layers it applies to. */
  readonly layers: LayerSelectorJSON;
  /** Attention keys merged into the block's attention. */
  readonly attention?: AttentionPatchJSON | undefined;
  /** MLP keys merged into the block's MLP. */
  readonly mlp?: MlpPatchJSON | undefined;
  /** Replaces the block's norm. */
  readonly norm?: BlockNormJSON<DecoderNormLayerJSON> | undefined;
  /** Replaces the block's residual rule. */
  readonly residual?: DecoderResidualJSON | undefined;
}

/** The configuration of a v2 decoder LM as written in JSON (see `decoderLmConfigV2Schema`). */
export interface DecoderLmConfigV2Input {
  /** Number of tokens in the vocabulary. */
  readonly vocabSize: number;
  /** Width of the residual stream. */
  readonly dModel: number;
  /** Number of transformer layers. */
  readonly layers: number;
  /** Longest sequence the model is compiled for. */
  readonly maxSeq: number;
  /** Each block's self-attention. */
  readonly attention: BlockAttentionJSON;
  /** Each block's MLP. */
  readonly mlp: BlockMlpJSON;
  /** Each block's norm. */
  readonly norm: BlockNormJSON<DecoderNormLayerJSON>;
  /** Each block's residual rule; default `add`. */
  readonly residual?: DecoderResidualJSON | undefined;
  /** The norm before the LM head; `null` for none. */
  readonly finalNorm?: DecoderNormLayerJSON | null | undefined;
  /** Absolute positions added to the token embeddings. */
  readonly positions?: EmbeddingPositionsJSON | undefined;
  /** Whether the LM head reuses the token embedding matrix; default false. */
  readonly tieEmbeddings?: boolean | undefined;
  /** Factor on the token embeddings (Gemma's `√dModel`); absent: 1. */
  readonly embeddingScale?: number | undefined;
  /** Soft cap `c` of the logits, `c·tanh(logits / c)`; absent: none. */
  readonly logitSoftcap?: number | undefined;
  /** Per-layer overrides, applied in order. */
  readonly overrides?: LayerOverrideJSON[] | undefined;
  /** The conditioning inputs that conditional norm layers read (timestep, class labels, task ids). */
  readonly conditioning?: DecoderConditioningJSON | undefined;
}

/** The configuration of a v2 decoder LM, with defaults filled in. */
export interface DecoderLmConfigV2 extends Omit<DecoderLmConfigV2Input, 'tieEmbeddings'> {
  /** Whether the LM head reuses the token embedding matrix. */
  readonly tieEmbeddings: boolean;
}

/** A version-2 model spec as written in JSON (fields with defaults may be omitted). */
export interface ModelSpecV2Input {
  /** The JSON Schema an editor validates the file with (ignored by Weft). */
  readonly $schema?: string | undefined;
  /** Version of the document format. */
  readonly schemaVersion: 2;
  /** The model family. */
  readonly kind: 'decoder-lm';
  /** The model's configuration. */
  readonly config: DecoderLmConfigV2Input;
}

/**
 * A validated version-2 model spec (what `parseModelSpec` returns for `"schemaVersion": 2`): a
 * decoder LM whose blocks use the whole parts vocabulary, with per-layer overrides.
 */
export interface ModelSpecV2 extends Omit<ModelSpecV2Input, 'config'> {
  /** The model's configuration. */
  readonly config: DecoderLmConfigV2;
}

/** A validated model spec of either version. */
export type AnyModelSpec = ModelSpec | ModelSpecV2;

/** A model spec of either version as written in JSON. */
export type AnyModelSpecInput = ModelSpecInput | ModelSpecV2Input;
