import * as v from 'valibot';
import { nonNegativeNumber, positiveNumber } from '../number-schemas.js';
import { parsePart } from './parse-part.js';
import { unknownKindMessage } from './part-kinds.js';

const eps = v.optional(nonNegativeNumber());

const normLayerSchemas = [
  v.strictObject({
    kind: v.literal('rmsnorm'),
    eps,
    epsPlacement: v.optional(v.picklist(['inside', 'outside'])),
    gain: v.optional(v.boolean()),
  }),
  v.strictObject({
    kind: v.literal('simplermsnorm'),
    variant: v.optional(v.picklist(['transnormer-llm', 'transnormer'])),
    eps,
  }),
  v.strictObject({
    kind: v.literal('layernorm'),
    eps,
    affine: v.optional(v.boolean()),
    bias: v.optional(v.boolean()),
  }),
  v.strictObject({ kind: v.literal('scalenorm'), eps }),
  v.strictObject({
    kind: v.literal('l2norm'),
    eps,
    scale: v.optional(v.picklist(['none', 'scalar', 'vector'])),
  }),
  v.strictObject({ kind: v.literal('fixnorm'), eps, scale: v.optional(positiveNumber()) }),
  v.strictObject({ kind: v.literal('hypersphere'), eps }),
] as const;

/**
 * The norm layer kinds of the JSON vocabulary, each a row norm of `@weft/norms` over the last axis:
 * `rmsnorm` (`rmsNorm`), `simplermsnorm` (`simpleRmsNorm`), `layernorm` (`layerNorm`), `scalenorm`
 * (`scaleNorm`), `l2norm` (`l2Norm`), `fixnorm` (`fixNorm`), `hypersphere` (`hypersphereNormalize`).
 */
export const NORM_LAYER_KINDS = normLayerSchemas.map((schema) => schema.entries.kind.literal);

/**
 * A norm layer in JSON: `{ "kind": "rmsnorm", "eps": 1e-6 }`, with the options of the
 * `@weft/norms` builder of that kind (but its name and axes, which the block gives). Options left
 * out take the builder's defaults. Objects are strict: an unknown key is an issue.
 */
export const normLayerSchema = v.variant(
  'kind',
  normLayerSchemas,
  unknownKindMessage('norm layer', NORM_LAYER_KINDS),
);

/** A norm layer in JSON (see {@link normLayerSchema}). */
export type NormLayerJSON = v.InferOutput<typeof normLayerSchema>;

/** Options of {@link normLayerFromJSON}. */
export interface NormLayerFromJSONOptions {
  /** JSON path of the value in its document, prefixed to every error (`layers[3].norm`; default none). */
  readonly path?: string;
}

/**
 * Validates a norm layer in JSON and returns it as a plain object (the block maps it to its
 * `@weft/norms` builder).
 *
 * @throws SpecError listing every problem with its JSON path.
 *
 * @example
 * ```ts
 * normLayerFromJSON({ kind: 'layernorm', eps: 1e-12, bias: false }); // { kind: 'layernorm', eps: 1e-12, bias: false }
 * normLayerFromJSON({ kind: 'rmsnrom' }, { path: 'norm' }); // SpecError: norm.kind: … (did you mean "rmsnorm"?)
 * ```
 */
export function normLayerFromJSON(json: unknown, options: NormLayerFromJSONOptions = {}): NormLayerJSON {
  return parsePart('norm layer', normLayerSchema, json, options.path ?? '');
}
