import * as v from 'valibot';
import { nonNegativeNumber, positiveInteger, positiveNumber } from '../number-schemas.js';
import { maskSchemaFor } from './mask-json.js';
import { normalizerSchemaFor } from './normalizer-json.js';
import { positionSchema } from './position-json.js';
import { scoreModSchemaFor } from './score-json.js';

/** The largest i32: head counts and dims reach WGSL as i32. */
const I32_MAX = 2_147_483_647;

/** Weighted GQA in JSON: `{ "kind": "weightedGqa", "heads": 8, "kvHeads": 2, "weights": "learned" }`. */
export const weightedGqaSchema = v.strictObject({
  kind: v.literal('weightedGqa'),
  heads: positiveInteger(I32_MAX),
  kvHeads: positiveInteger(I32_MAX),
  weights: v.literal('learned'),
});

/** QK normalization in JSON: the options of `qkNorm()` (`{ "kind": "rms", "scale": "vector", "eps": 1e-6 }`). */
export const qkNormSchema = v.strictObject({
  kind: v.optional(v.picklist(['l2', 'rms', 'layer'])),
  scale: v.optional(v.picklist(['none', 'scalar', 'vector'])),
  eps: v.optional(nonNegativeNumber()),
  bias: v.optional(v.boolean()),
});

/**
 * Multi-Token Attention's score-map stage in JSON: the options of `multiTokenConvolution()`
 * (`{ "kind": "multiTokenConvolution", "queryKernel": 6, "keyKernel": 11, "headMixing": { "groupSize": 2 }, "groupNorm": true }`).
 */
export const scoreMapSchema = v.strictObject({
  kind: v.literal('multiTokenConvolution'),
  queryKernel: positiveInteger(I32_MAX),
  keyKernel: positiveInteger(I32_MAX),
  headMixing: v.optional(
    v.strictObject({
      groupSize: positiveInteger(I32_MAX),
      placement: v.optional(v.picklist(['preSoftmax', 'postSoftmax'])),
    }),
  ),
  groupNorm: v.optional(v.union([v.boolean(), v.strictObject({ epsilon: v.optional(positiveNumber()) })])),
});

/** The kinds of the user's own parts an attention schema accepts besides the built-in ones. */
export interface UserPartKinds {
  /** Names of the user's normalizers (`defineNormalizer` defs). */
  readonly normalizers: readonly string[];
  /** Kinds of the user's masks. */
  readonly masks: readonly string[];
  /** Kinds of the user's score mods. */
  readonly scoreMods: readonly string[];
}

/** The attention schema and the mask schema it recurses through (for JSON Schema definitions). */
export function attentionSchemasFor(user: UserPartKinds) {
  const scoreMod = scoreModSchemaFor(user.scoreMods);
  const mask = maskSchemaFor(user.masks);
  const count = () => positiveInteger(I32_MAX);
  const attention = v.strictObject({
    heads: v.union(
      [count(), weightedGqaSchema],
      (issue) => `expected a positive integer or a weightedGqa head layout, got ${issue.received}`,
    ),
    kvHeads: v.optional(count()),
    valueHeads: v.optional(count()),
    headDim: count(),
    valueDim: v.optional(count()),
    positions: v.optional(positionSchema),
    qkNorm: v.optional(qkNormSchema),
    score: v.optional(
      v.union(
        [scoreMod, v.array(scoreMod)],
        (issue) => `expected a score mod or an array of score mods, got ${issue.received}`,
      ),
    ),
    mask: v.optional(mask),
    scoreMap: v.optional(scoreMapSchema),
    normalizer: v.optional(normalizerSchemaFor(user.normalizers)),
    outputs: v.optional(
      v.strictObject({
        logSumExp: v.optional(v.boolean()),
        rowMax: v.optional(v.boolean()),
        entropy: v.optional(v.boolean()),
        diagonal: v.optional(v.boolean()),
        segmentMass: v.optional(v.array(v.pipe(v.number(), v.integer()))),
        probeRows: v.optional(v.array(v.pipe(v.number(), v.integer()))),
        relativeMass: v.optional(v.pipe(v.number(), v.integer())),
      }),
    ),
  });
  return { attention, mask };
}

const BUILTIN = attentionSchemasFor({ normalizers: [], masks: [], scoreMods: [] });

/**
 * The valibot schema of an attention spec in JSON, built-in vocabulary only: the options of
 * `attention()` with every part written as `{ "kind": <builder name>, ...options }` and tensors as
 * `{ "tensor": name, "shape": [...] }`. Objects are strict: an unknown key is an issue.
 * `attentionFromJSON` validates with it (extended by the user's kinds) and builds the spec.
 */
export const attentionSpecSchema = BUILTIN.attention;

/** The mask schema of {@link attentionSpecSchema} (recursive through `and`, `or`, `not`). */
export const attentionMaskSchema = BUILTIN.mask;

/** An attention spec in JSON (see {@link attentionSpecSchema}). */
export type AttentionJSON = v.InferInput<typeof attentionSpecSchema>;
