import * as v from 'valibot';
import { conditionalNormLayerSchema, decoderConditioningSchema } from './conditioning-schema.js';
import { MODEL_SPEC_LIMITS } from './model-spec-schema.js';
import type {
  BlockAttentionJSON,
  BlockMlpJSON,
  BlockNormJSON,
  BlockResidualJSON,
  DecoderLmConfigV2,
  DecoderLmConfigV2Input,
  DecoderNormLayerJSON,
  DecoderResidualJSON,
  EmbeddingPositionsJSON,
  LayerOverrideJSON,
  LayerSelectorJSON,
  ModelSpecV2,
  ModelSpecV2Input,
} from './model-spec-v2-types.js';
import { positiveInteger, positiveNumber } from './number-schemas.js';
import { attentionSpecSchema, weightedGqaSchema } from './parts/attention-json-schema.js';
import { linearAttentionJSONSchema } from './parts/linear-attention-json.js';
import { megaLayerJSONSchema } from './parts/mega-layer-json.js';
import { NORM_LAYER_KINDS, normLayerSchema } from './parts/norm-layer-json.js';
import { unknownKindMessage } from './parts/part-kinds.js';

/** The version of the model spec format with the parts vocabulary and per-layer overrides. */
export const MODEL_SPEC_V2_SCHEMA_VERSION = 2;

/** Upper bound of the overrides of one spec and of the indices one selector lists. */
export const MAX_OVERRIDES = 1024;

const { outputs: _outputs, heads: _heads, ...attentionParts } = attentionSpecSchema.entries;

/** Head counts and dims bounded by {@link MODEL_SPEC_LIMITS} (they size projections and KV caches). */
const boundedHeadEntries = {
  heads: v.union(
    [
      positiveInteger(MODEL_SPEC_LIMITS.heads),
      v.strictObject({
        ...weightedGqaSchema.entries,
        heads: positiveInteger(MODEL_SPEC_LIMITS.heads),
        kvHeads: positiveInteger(MODEL_SPEC_LIMITS.kvHeads),
      }),
    ],
    (issue) => `expected a positive integer or a weightedGqa head layout, got ${issue.received}`,
  ),
  kvHeads: v.optional(positiveInteger(MODEL_SPEC_LIMITS.kvHeads)),
  valueHeads: v.optional(positiveInteger(MODEL_SPEC_LIMITS.kvHeads)),
  headDim: positiveInteger(MODEL_SPEC_LIMITS.headDim),
  valueDim: v.optional(positiveInteger(MODEL_SPEC_LIMITS.headDim)),
};

/** The block settings beside the attention parts. */
const attentionBlockEntries = {
  causal: v.optional(v.boolean()),
  bias: v.optional(v.boolean()),
  outputBias: v.optional(v.boolean()),
  linear: v.optional(linearAttentionJSONSchema),
  mega: v.optional(megaLayerJSONSchema),
};

const attentionEntries = { ...attentionParts, ...boundedHeadEntries, ...attentionBlockEntries };

/**
 * A block's self-attention in a v2 spec: the attention spec in JSON of `attentionFromJSON` (every
 * part `{ "kind": <builder name>, ...options }`; no `outputs`, a block uses the output only) plus
 * the block settings `causal` (default true), `bias` (a QKV bias, default false) and `outputBias`
 * (a bias of the output projection, default false).
 */
export const blockAttentionSchema = v.strictObject(attentionEntries);

/**
 * The feed-forward block: `gelu`, `relu2`, `swiglu` or `geglu` with `hidden` units, optional
 * biases, and for `gelu`/`geglu` the GELU form (`approximate`: `"none"`, the exact GELU, default;
 * `"tanh"`, its tanh approximation).
 */
export const blockMlpSchema = v.strictObject({
  kind: v.picklist(['gelu', 'relu2', 'swiglu', 'geglu']),
  hidden: positiveInteger(MODEL_SPEC_LIMITS.mlpHidden),
  bias: v.optional(v.boolean()),
  approximate: v.optional(v.picklist(['none', 'tanh'])),
});

/** The block norm schema whose `layer` is a `layer` in JSON: `{ layer, placement? }` or nGPT's hypersphere block. */
function blockNormSchemaOf<Layer extends v.GenericSchema>(layer: Layer, what: string) {
  return v.union(
    [
      v.strictObject({
        layer,
        placement: v.optional(v.picklist(['pre', 'post', 'sandwich'])),
      }),
      v.strictObject({
        kind: v.literal('hypersphere'),
        alphaScale: v.optional(positiveNumber()),
      }),
    ],
    (issue) =>
      `expected { "layer": <${what}>, "placement"? } or { "kind": "hypersphere", "alphaScale"? }, got ${issue.received}`,
  );
}

/**
 * A block's normalization: a norm layer in JSON (see `normLayerSchema`) and where it sits
 * (`pre`, default; `post`; `sandwich`), or nGPT's hypersphere block (`{ "kind": "hypersphere" }`).
 */
export const blockNormSchema = blockNormSchemaOf(normLayerSchema, 'norm layer');

/** The norm layer kinds of a `decoder-lm` block: those of `normLayerSchema` and the conditional `adaLn`, `taskLayerNorm`. */
export const DECODER_NORM_LAYER_KINDS = [
  ...NORM_LAYER_KINDS,
  ...conditionalNormLayerSchema.options.map((schema) => schema.entries.kind.literal),
];

/**
 * A norm layer of a `decoder-lm`: one of `normLayerSchema`, or a conditional norm layer
 * (`conditionalNormLayerSchema`: `adaLn`, `taskLayerNorm`) fed by the spec's `conditioning`.
 */
export const decoderNormLayerSchema = v.variant(
  'kind',
  [...normLayerSchema.options, ...conditionalNormLayerSchema.options],
  unknownKindMessage('norm layer', DECODER_NORM_LAYER_KINDS),
);

/** A `decoder-lm` block's normalization: {@link blockNormSchema} whose layer may be conditional. */
export const decoderBlockNormSchema = blockNormSchemaOf(decoderNormLayerSchema, 'norm layer');

/** How sublayers join the residual stream: `add` (default) or `layerScale` (a learned per-channel scale). */
export const blockResidualSchema = v.strictObject({
  kind: v.picklist(['add', 'layerScale']),
});

/**
 * How a `decoder-lm` block's sublayers join the residual stream: `add`, `layerScale`, or DiT's
 * `adaLnZero` (a shift, scale and gate per sublayer from the conditioning vector, which
 * `conditioning` must declare; pair it with a LayerNorm without affine, as DiT does).
 */
export const decoderResidualSchema = v.strictObject({
  kind: v.picklist(['add', 'layerScale', 'adaLnZero']),
});

/** Absolute positions added to the token embeddings (RoPE and ALiBi live in the attention part). */
export const embeddingPositionsSchema = v.variant('kind', [
  v.strictObject({
    kind: v.literal('learned'),
    max: positiveInteger(MODEL_SPEC_LIMITS.learnedPositions),
  }),
  v.strictObject({ kind: v.literal('sinusoidal') }),
]);

const layerIndex = () => {
  const message = (issue: v.BaseIssue<unknown>) =>
    `expected a layer index (an integer >= 0), got ${issue.received}`;
  return v.pipe(
    v.number(message),
    v.safeInteger(message),
    v.minValue(0, message),
    v.maxValue(MODEL_SPEC_LIMITS.layers - 1, message),
  );
};

/**
 * The layers an override applies to: `"all"`, `"even"`, `"odd"`, a list of layer indices
 * (`[0, 3]`), or every `every`-th layer from `offset` (`{ "every": 4, "offset": 3 }`: layers 3, 7, ...).
 */
export const layerSelectorSchema = v.union(
  [
    v.picklist(['all', 'even', 'odd']),
    v.pipe(v.array(layerIndex()), v.minLength(1), v.maxLength(MAX_OVERRIDES)),
    v.strictObject({
      every: positiveInteger(MODEL_SPEC_LIMITS.layers),
      offset: v.optional(layerIndex()),
    }),
  ],
  (issue) =>
    `expected "all", "even", "odd", a list of layer indices or { "every", "offset"? }, got ${issue.received}`,
);

/** The attention keys an override may remove with `null` (the optional ones). */
const REQUIRED_ATTENTION_KEYS = new Set(['heads', 'headDim']);

const attentionPatchSchema = v.strictObject(
  Object.fromEntries(
    Object.entries(attentionEntries).map(([key, schema]) => [
      key,
      REQUIRED_ATTENTION_KEYS.has(key)
        ? v.optional(schema as v.GenericSchema)
        : v.optional(v.nullable((schema as v.OptionalSchema<v.GenericSchema, undefined>).wrapped)),
    ]),
  ) as {
    [K in keyof typeof attentionEntries]: v.OptionalSchema<
      K extends 'heads' | 'headDim'
        ? (typeof attentionEntries)[K]
        : v.NullableSchema<
            (typeof attentionEntries)[K] extends v.OptionalSchema<infer W, undefined> ? W : never,
            undefined
          >,
      undefined
    >;
  },
);

const mlpPatchSchema = v.strictObject({
  kind: v.optional(blockMlpSchema.entries.kind),
  hidden: v.optional(blockMlpSchema.entries.hidden),
  bias: v.optional(v.nullable(v.boolean())),
  approximate: v.optional(v.nullable(blockMlpSchema.entries.approximate.wrapped)),
});

/**
 * A per-layer override: the layers it selects and the block sections it changes there. `attention`
 * and `mlp` are merged key by key into the section they override (each key's value replaces the
 * previous one whole; `null` removes an optional key such as `mask`); `norm` and `residual` are
 * replaced whole. Overrides apply in order, so a later one wins.
 */
export const layerOverrideSchema = v.strictObject({
  layers: layerSelectorSchema,
  attention: v.optional(attentionPatchSchema),
  mlp: v.optional(mlpPatchSchema),
  norm: v.optional(decoderBlockNormSchema),
  residual: v.optional(decoderResidualSchema),
});

/**
 * The configuration of a v2 decoder-only LM. Besides the blocks: `embeddingScale` multiplies the
 * token embeddings (Gemma's `√dModel`), `logitSoftcap` `c` caps the logits softly,
 * `c · tanh(logits / c)` (Gemma 2); `conditioning` declares the inputs that conditional norm
 * layers read (timestep, class labels, task ids; see `decoderConditioningSchema`).
 */
export const decoderLmConfigV2Schema = v.pipe(
  v.strictObject({
    vocabSize: positiveInteger(MODEL_SPEC_LIMITS.vocabSize),
    dModel: positiveInteger(MODEL_SPEC_LIMITS.dModel),
    layers: positiveInteger(MODEL_SPEC_LIMITS.layers),
    maxSeq: positiveInteger(MODEL_SPEC_LIMITS.maxSeq),
    attention: blockAttentionSchema,
    mlp: blockMlpSchema,
    norm: decoderBlockNormSchema,
    residual: v.optional(decoderResidualSchema),
    finalNorm: v.optional(v.nullable(decoderNormLayerSchema)),
    positions: v.optional(embeddingPositionsSchema),
    tieEmbeddings: v.optional(v.boolean(), false),
    embeddingScale: v.optional(positiveNumber()),
    logitSoftcap: v.optional(positiveNumber()),
    overrides: v.optional(v.pipe(v.array(layerOverrideSchema), v.maxLength(MAX_OVERRIDES))),
    conditioning: v.optional(decoderConditioningSchema),
  }),
  v.forward(
    v.check(
      (config) => config.positions?.kind !== 'learned' || config.positions.max >= config.maxSeq,
      (issue) =>
        `expected at least maxSeq (${issue.input.maxSeq}) learned positions, got ${
          issue.input.positions?.kind === 'learned' ? issue.input.positions.max : ''
        }`,
    ),
    ['positions', 'max'],
  ),
);

/** A version-2 model spec document: `{ "$schema"?, "schemaVersion": 2, "kind": "decoder-lm", "config" }`. */
export const modelSpecV2Schema = v.strictObject({
  $schema: v.optional(v.string()),
  schemaVersion: v.literal(MODEL_SPEC_V2_SCHEMA_VERSION),
  kind: v.literal('decoder-lm'),
  config: decoderLmConfigV2Schema,
});

// The declared types (model-spec-v2-types.ts) must be exactly what the schemas accept and produce.
type SameType<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<Condition extends true> = Condition;
// biome-ignore lint/correctness/noUnusedVariables: a compile-time check, never used.
type DeclaredTypesMatchSchemas = [
  Holds<SameType<v.InferOutput<typeof blockAttentionSchema>, BlockAttentionJSON>>,
  Holds<SameType<v.InferOutput<typeof blockMlpSchema>, BlockMlpJSON>>,
  Holds<SameType<v.InferOutput<typeof blockNormSchema>, BlockNormJSON>>,
  Holds<SameType<v.InferOutput<typeof decoderBlockNormSchema>, BlockNormJSON<DecoderNormLayerJSON>>>,
  Holds<SameType<v.InferOutput<typeof blockResidualSchema>, BlockResidualJSON>>,
  Holds<SameType<v.InferOutput<typeof decoderResidualSchema>, DecoderResidualJSON>>,
  Holds<SameType<v.InferOutput<typeof embeddingPositionsSchema>, EmbeddingPositionsJSON>>,
  Holds<SameType<v.InferOutput<typeof layerSelectorSchema>, LayerSelectorJSON>>,
  Holds<SameType<v.InferOutput<typeof layerOverrideSchema>, LayerOverrideJSON>>,
  Holds<SameType<v.InferInput<typeof decoderLmConfigV2Schema>, DecoderLmConfigV2Input>>,
  Holds<SameType<v.InferOutput<typeof decoderLmConfigV2Schema>, DecoderLmConfigV2>>,
  Holds<SameType<v.InferInput<typeof modelSpecV2Schema>, ModelSpecV2Input>>,
  Holds<SameType<v.InferOutput<typeof modelSpecV2Schema>, ModelSpecV2>>,
];
