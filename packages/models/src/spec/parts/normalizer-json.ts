import {
  type AnyNormalizerDef,
  entmax,
  groupedSoftmax,
  identity,
  type Normalizer,
  nap,
  pLaplacian,
  polynomialNormalized,
  reluNormalized,
  reluSquared,
  sigmoid,
  softmax,
  softplusNormalized,
  sparsemax,
  topTheta,
} from '@weft/attention';
import * as v from 'valibot';
import { nonNegativeNumber, numberAbove, positiveInteger, positiveNumber } from '../number-schemas.js';
import { buildAt } from './build-at.js';
import { withoutUndefined } from './options-of.js';
import { unknownKindMessage } from './part-kinds.js';
import {
  headParameterFromJSON,
  headParameterSchema,
  tensorRefFromJSON,
  tensorRefSchema,
  withTensorRefs,
} from './tensor-ref-json.js';

/** A normalizer builder made by `defineNormalizer`, whatever its options. */
export type AnyNormalizerBuilder = ((options?: never) => Normalizer) & { readonly def: AnyNormalizerDef };

const headParameter = headParameterSchema;

/** The valibot schemas of the built-in normalizers, one strict object per kind. */
export const NORMALIZER_SCHEMAS = [
  v.strictObject({ kind: v.literal('softmax'), sink: v.optional(headParameter) }),
  v.strictObject({ kind: v.literal('sigmoid'), bias: v.optional(headParameter) }),
  v.strictObject({ kind: v.literal('reluSquared') }),
  v.strictObject({ kind: v.literal('reluNormalized') }),
  v.strictObject({
    kind: v.literal('softplusNormalized'),
    lengthScale: v.optional(v.union([v.picklist(['none', 'log']), numberAbove(1)])),
    reweight: v.optional(
      v.strictObject({
        form: v.optional(v.picklist(['power', 'reluPower'])),
        power: v.optional(positiveNumber()),
      }),
    ),
  }),
  v.strictObject({ kind: v.literal('polynomialNormalized'), degree: v.optional(v.picklist([1, 2])) }),
  v.strictObject({
    kind: v.literal('topTheta'),
    threshold: tensorRefSchema,
    compensation: v.optional(v.picklist(['none', 'denominator', 'valueMean'])),
  }),
  v.strictObject({ kind: v.literal('entmax'), alpha: headParameter }),
  v.strictObject({ kind: v.literal('sparsemax') }),
  v.strictObject({
    kind: v.literal('nap'),
    gain: v.optional(headParameter),
    bias: v.optional(headParameter),
    epsilon: v.optional(nonNegativeNumber()),
  }),
  v.strictObject({
    kind: v.literal('identity'),
    outputNorm: v.optional(v.picklist(['rms', 'layer', 'none'])),
    epsilon: v.optional(nonNegativeNumber()),
  }),
  v.strictObject({ kind: v.literal('groupedSoftmax'), blockSize: positiveInteger() }),
  v.strictObject({
    kind: v.literal('pLaplacian'),
    features: tensorRefSchema,
    p: headParameter,
    mu: headParameter,
    epsilon: v.optional(positiveNumber()),
    anchorScale: v.optional(v.picklist([2, 4])),
  }),
] as const;

/**
 * The built-in normalizer kinds of the JSON vocabulary, each the `@weft/attention` builder of that
 * name (the l1 normalizer has three builders, α-entmax two).
 */
export const NORMALIZER_KINDS = NORMALIZER_SCHEMAS.map((schema) => schema.entries.kind.literal);

/** A built-in normalizer in JSON, e.g. `{ "kind": "softmax", "sink": { "tensor": "sink", "shape": [8] } }`. */
export type NormalizerJSON = v.InferOutput<(typeof NORMALIZER_SCHEMAS)[number]>;

/**
 * The normalizer schema: the built-in kinds, and the names of the user's `defineNormalizer`
 * builders (any options, which the builder checks). An unknown kind is an issue listing the known ones.
 */
export function normalizerSchemaFor(user: readonly string[]) {
  return v.variant(
    'kind',
    [...NORMALIZER_SCHEMAS, ...user.map((kind) => v.looseObject({ kind: v.literal(kind) }))],
    unknownKindMessage('normalizer', [...NORMALIZER_KINDS, ...user]),
  );
}

/** The `Normalizer` of a validated JSON normalizer at `path`; `user` holds the user's builders by name. */
export function normalizerFromJSON(
  json: NormalizerJSON | { readonly kind: string },
  path: string,
  user: ReadonlyMap<string, AnyNormalizerBuilder>,
): Normalizer {
  return buildAt(path, () => {
    const builtin = builtinNormalizer(json as NormalizerJSON);
    if (builtin !== undefined) return builtin;
    const { kind, ...options } = json;
    // A builder without options is called without an options object, as in TypeScript.
    const build = user.get(kind)! as unknown as (options?: unknown) => Normalizer;
    return Object.keys(options).length === 0 ? build() : build(withTensorRefs(options));
  });
}

function builtinNormalizer(json: NormalizerJSON): Normalizer | undefined {
  switch (json.kind) {
    case 'softmax':
      return softmax(json.sink === undefined ? {} : { sink: headParameterFromJSON(json.sink) });
    case 'sigmoid':
      return sigmoid(json.bias === undefined ? {} : { bias: headParameterFromJSON(json.bias) });
    case 'reluSquared':
      return reluSquared();
    case 'reluNormalized':
      return reluNormalized();
    case 'softplusNormalized':
      return softplusNormalized({
        ...(json.lengthScale === undefined ? {} : { lengthScale: json.lengthScale }),
        ...(json.reweight === undefined ? {} : { reweight: withoutUndefined(json.reweight) }),
      });
    case 'polynomialNormalized':
      return polynomialNormalized(json.degree === undefined ? {} : { degree: json.degree });
    case 'topTheta':
      return topTheta({
        threshold: tensorRefFromJSON(json.threshold),
        ...(json.compensation === undefined ? {} : { compensation: json.compensation }),
      });
    case 'entmax':
      return entmax({ alpha: headParameterFromJSON(json.alpha) });
    case 'sparsemax':
      return sparsemax();
    case 'nap':
      return nap({
        ...(json.gain === undefined ? {} : { gain: headParameterFromJSON(json.gain) }),
        ...(json.bias === undefined ? {} : { bias: headParameterFromJSON(json.bias) }),
        ...(json.epsilon === undefined ? {} : { epsilon: json.epsilon }),
      });
    case 'identity':
      return identity(withoutUndefined({ outputNorm: json.outputNorm, epsilon: json.epsilon }));
    case 'groupedSoftmax':
      return groupedSoftmax({ blockSize: json.blockSize });
    case 'pLaplacian':
      return pLaplacian({
        features: tensorRefFromJSON(json.features),
        p: headParameterFromJSON(json.p),
        mu: headParameterFromJSON(json.mu),
        ...(json.epsilon === undefined ? {} : { epsilon: json.epsilon }),
        ...(json.anchorScale === undefined ? {} : { anchorScale: json.anchorScale }),
      });
    default:
      return undefined;
  }
}
