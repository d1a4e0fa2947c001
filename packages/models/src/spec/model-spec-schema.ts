import * as v from 'valibot';
import type { ModelSpec, ModelSpecInput } from './model-spec-types.js';
import { positiveInteger, positiveNumber, unitFraction } from './number-schemas.js';

/** The JSON schema version this package reads and writes. */
export const MODEL_SPEC_SCHEMA_VERSION = 1;

/**
 * Upper bounds of every size in a model spec. Generous for real models (a 4M-token vocabulary, a
 * million positions); a spec within them may still be too large for a device, which
 * `compileModel` checks against the device's limits before allocating anything.
 */
export const MODEL_SPEC_LIMITS = Object.freeze({
  vocabSize: 2 ** 22,
  dModel: 2 ** 16,
  layers: 1024,
  heads: 1024,
  kvHeads: 1024,
  headDim: 4096,
  mlpHidden: 2 ** 20,
  maxSeq: 2 ** 20,
  learnedPositions: 2 ** 21,
});

/** The feed-forward block: GELU MLP, or a gated one (SwiGLU, GeGLU) with `hidden` units. */
const mlpSpecSchema = v.strictObject({
  kind: v.picklist(['swiglu', 'geglu', 'gelu']),
  hidden: positiveInteger(MODEL_SPEC_LIMITS.mlpHidden),
});

/** The normalization layer, its epsilon and its placement. */
const normSpecSchema = v.strictObject({
  kind: v.picklist(['rmsnorm', 'layernorm']),
  eps: v.optional(positiveNumber(), 1e-5),
  placement: v.optional(v.picklist(['pre', 'post', 'sandwich']), 'pre'),
});

/** How positions enter the model. */
const positionsSpecSchema = v.variant('kind', [
  v.strictObject({
    kind: v.literal('rope'),
    base: v.optional(positiveNumber(), 10000),
    fraction: v.optional(unitFraction(), 1),
  }),
  v.strictObject({
    kind: v.literal('learned'),
    max: positiveInteger(MODEL_SPEC_LIMITS.learnedPositions),
  }),
  v.strictObject({
    kind: v.literal('sinusoidal'),
  }),
  v.strictObject({
    kind: v.literal('alibi'),
  }),
  v.strictObject({
    kind: v.literal('nope'),
  }),
]);

/** The configuration of a decoder-only language model, with its cross-field rules. */
const decoderLmConfigSchema = v.pipe(
  v.strictObject({
    vocabSize: positiveInteger(MODEL_SPEC_LIMITS.vocabSize),
    dModel: positiveInteger(MODEL_SPEC_LIMITS.dModel),
    layers: positiveInteger(MODEL_SPEC_LIMITS.layers),
    heads: positiveInteger(MODEL_SPEC_LIMITS.heads),
    kvHeads: positiveInteger(MODEL_SPEC_LIMITS.kvHeads),
    headDim: positiveInteger(MODEL_SPEC_LIMITS.headDim),
    mlp: mlpSpecSchema,
    norm: normSpecSchema,
    positions: positionsSpecSchema,
    maxSeq: positiveInteger(MODEL_SPEC_LIMITS.maxSeq),
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
    $schema: v.optional(v.string()),
    schemaVersion: v.literal(
      MODEL_SPEC_SCHEMA_VERSION,
      (issue) =>
        `expected schemaVersion ${MODEL_SPEC_SCHEMA_VERSION} or 2 (the versions this Weft reads), got ${issue.received}`,
    ),
    kind: v.literal('decoder-lm'),
    config: decoderLmConfigSchema,
  }),
]);

// The declared types must be exactly what the schema accepts and produces.
type SameType<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<Condition extends true> = Condition;
// biome-ignore lint/correctness/noUnusedVariables: a compile-time check, never used.
type OutputMatchesDeclaredType = Holds<SameType<v.InferOutput<typeof modelSpecSchema>, ModelSpec>>;
// biome-ignore lint/correctness/noUnusedVariables: a compile-time check, never used.
type InputMatchesDeclaredType = Holds<SameType<v.InferInput<typeof modelSpecSchema>, ModelSpecInput>>;

function isEvenInteger(value: number): boolean {
  return Number.isInteger(value) && value % 2 === 0;
}
