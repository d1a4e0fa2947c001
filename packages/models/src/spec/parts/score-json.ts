import {
  additiveScore,
  gaussianKernelScore,
  keyBias,
  lightningDecay,
  patternInjectedHeads,
  probabilisticAttentionScore,
  type ScoreMod,
  scale,
  softcap,
} from '@weft/attention';
import * as v from 'valibot';
import { finiteNumber, positiveNumber } from '../number-schemas.js';
import { buildAt } from './build-at.js';
import { unknownKindMessage } from './part-kinds.js';
import { tensorRefFromJSON, tensorRefSchema, withTensorRefs } from './tensor-ref-json.js';

const tensor = tensorRefSchema;

/** `patternInjectedHeads` in JSON: its score half is a score mod, its mask half a mask. */
export const patternInjectedHeadsSchema = v.strictObject({
  kind: v.literal('patternInjectedHeads'),
  patterns: v.pipe(
    v.array(v.picklist(['learned', 'matchingToken', 'intraSentence', 'positional'])),
    v.minLength(1, 'expected one pattern per head'),
  ),
  tokenIds: v.optional(tensor),
  sentenceIds: v.optional(tensor),
});

/** `patternInjectedHeads` in JSON (see {@link patternInjectedHeadsSchema}). */
export type PatternInjectedHeadsJSON = v.InferOutput<typeof patternInjectedHeadsSchema>;

/** The valibot schemas of the built-in score mods, one strict object per kind. */
export const SCORE_MOD_SCHEMAS = [
  v.strictObject({ kind: v.literal('scale'), value: v.union([finiteNumber(), tensor]) }),
  v.strictObject({ kind: v.literal('softcap'), cap: positiveNumber() }),
  v.strictObject({ kind: v.literal('keyBias'), bias: tensor }),
  v.strictObject({ kind: v.literal('lightningDecay'), slopes: tensor }),
  v.strictObject({
    kind: v.literal('gaussianKernelScore'),
    queryNormSquared: tensor,
    keyNormSquared: tensor,
  }),
  v.strictObject({
    kind: v.literal('probabilisticAttentionScore'),
    precision: tensor,
    logPrior: tensor,
    queryNormSquared: tensor,
    keyNormSquared: tensor,
  }),
  v.strictObject({
    kind: v.literal('additiveScore'),
    queryProjection: tensor,
    keyProjection: tensor,
    weights: tensor,
    activation: v.optional(v.picklist(['tanh', 'relu'])),
  }),
  patternInjectedHeadsSchema,
] as const;

/** The built-in score mod kinds of the JSON vocabulary, each the `@weft/attention` builder of that name. */
export const SCORE_MOD_KINDS = SCORE_MOD_SCHEMAS.map((schema) => schema.entries.kind.literal);

/** A built-in score mod in JSON, e.g. `{ "kind": "softcap", "cap": 50 }`. */
export type ScoreModJSON = v.InferOutput<(typeof SCORE_MOD_SCHEMAS)[number]>;

/** A score mod of the user's own: a factory of score mods, called with the JSON options but `kind`. */
export type ScoreModFactory = (options: Readonly<Record<string, unknown>>) => ScoreMod | readonly ScoreMod[];

/**
 * The score mod schema: the built-in kinds, and the kinds in `user` (any options, which their
 * factory checks). An unknown kind is an issue listing the known ones.
 */
export function scoreModSchemaFor(user: readonly string[]) {
  const userSchemas = user.map((kind) => v.looseObject({ kind: v.literal(kind) }));
  return v.variant(
    'kind',
    [...SCORE_MOD_SCHEMAS, ...userSchemas],
    unknownKindMessage('score mod', [...SCORE_MOD_KINDS, ...user]),
  );
}

/**
 * The score mods of one validated JSON score mod at `path` (several for the kinds whose builder
 * returns a list, as `gaussianKernelScore`).
 */
export function scoreModsFromJSON(
  json: ScoreModJSON | { readonly kind: string },
  path: string,
  user: Readonly<Record<string, ScoreModFactory>>,
): readonly ScoreMod[] {
  return buildAt(path, () => {
    const mods = builtinScoreMod(json as ScoreModJSON) ?? userScoreMod(json, user);
    return Array.isArray(mods) ? mods : [mods as ScoreMod];
  });
}

function builtinScoreMod(json: ScoreModJSON): ScoreMod | readonly ScoreMod[] | undefined {
  switch (json.kind) {
    case 'scale':
      return scale(typeof json.value === 'number' ? json.value : tensorRefFromJSON(json.value));
    case 'softcap':
      return softcap(json.cap);
    case 'keyBias':
      return keyBias(tensorRefFromJSON(json.bias));
    case 'lightningDecay':
      return lightningDecay(tensorRefFromJSON(json.slopes));
    case 'gaussianKernelScore':
      return gaussianKernelScore({
        queryNormSquared: tensorRefFromJSON(json.queryNormSquared),
        keyNormSquared: tensorRefFromJSON(json.keyNormSquared),
      });
    case 'probabilisticAttentionScore':
      return probabilisticAttentionScore({
        precision: tensorRefFromJSON(json.precision),
        logPrior: tensorRefFromJSON(json.logPrior),
        queryNormSquared: tensorRefFromJSON(json.queryNormSquared),
        keyNormSquared: tensorRefFromJSON(json.keyNormSquared),
      });
    case 'additiveScore':
      return additiveScore({
        queryProjection: tensorRefFromJSON(json.queryProjection),
        keyProjection: tensorRefFromJSON(json.keyProjection),
        weights: tensorRefFromJSON(json.weights),
        ...(json.activation === undefined ? {} : { activation: json.activation }),
      });
    case 'patternInjectedHeads':
      return patternInjectedHeads(patternOptions(json)).score;
    default:
      return undefined;
  }
}

/** The options of `patternInjectedHeads` from its validated JSON. */
export function patternOptions(json: PatternInjectedHeadsJSON) {
  return {
    patterns: json.patterns,
    ...(json.tokenIds === undefined ? {} : { tokenIds: tensorRefFromJSON(json.tokenIds) }),
    ...(json.sentenceIds === undefined ? {} : { sentenceIds: tensorRefFromJSON(json.sentenceIds) }),
  };
}

function userScoreMod(
  json: { readonly kind: string },
  user: Readonly<Record<string, ScoreModFactory>>,
): ScoreMod | readonly ScoreMod[] {
  const { kind, ...options } = json;
  return user[kind]!(withTensorRefs(options) as Record<string, unknown>);
}
