import * as v from 'valibot';
import type { DitDefinition } from '../../architectures/dit.js';
import { classLabelsConditioningSchema, timestepConditioningSchema } from '../conditioning-schema.js';
import { MODEL_SPEC_LIMITS } from '../model-spec-schema.js';
import { blockMlpSchema, MODEL_SPEC_V2_SCHEMA_VERSION } from '../model-spec-v2-schema.js';
import { positiveInteger } from '../number-schemas.js';
import {
  ARCHITECTURE_LIMITS,
  architectureAttentionSchema,
  attentionOverridesSchema,
  mlpOptionsOfJSON,
  stackAttentionOf,
} from './architecture-parts.js';

/**
 * What conditions a DiT and how the blocks read it: the timestep input (`timestep` `[batch]`,
 * embedded by `frequencies` sinusoids of periods up to `maxPeriod`, then an MLP), optional class
 * labels (`classLabels` `[batch]` i32, `classes` rows of a label table added to the timestep
 * embedding), and the conditional norm of the blocks: `adaLnZero` (default; shift, scale and a
 * residual gate) or `adaLn` (the adaptive LayerNorm, shift and scale only).
 */
export const ditConditioningSchema = v.strictObject({
  timestep: v.optional(timestepConditioningSchema),
  classLabels: v.optional(classLabelsConditioningSchema),
  norm: v.optional(v.picklist(['adaLnZero', 'adaLn'])),
});

/**
 * The configuration of a stack of DiT blocks (`buildDitGraph`): `tokens` tokens of `inFeatures`
 * features projected to the stream with learned positions, `layers` bidirectional blocks
 * conditioned as `conditioning` says, DiT's final adaptive LayerNorm and a linear head to
 * `outFeatures`. `overrides` change the attention of the layers they select.
 */
export const ditConfigSchema = v.strictObject({
  inFeatures: positiveInteger(ARCHITECTURE_LIMITS.features),
  tokens: positiveInteger(ARCHITECTURE_LIMITS.tokens),
  dModel: positiveInteger(MODEL_SPEC_LIMITS.dModel),
  layers: positiveInteger(MODEL_SPEC_LIMITS.layers),
  outFeatures: positiveInteger(ARCHITECTURE_LIMITS.features),
  attention: architectureAttentionSchema,
  mlp: blockMlpSchema,
  conditioning: v.optional(ditConditioningSchema),
  overrides: attentionOverridesSchema,
});

/** A DiT spec document: `{ "$schema"?, "schemaVersion": 2, "kind": "dit", "config" }`. */
export const ditSpecSchema = v.strictObject({
  $schema: v.optional(v.string()),
  schemaVersion: v.literal(MODEL_SPEC_V2_SCHEMA_VERSION),
  kind: v.literal('dit'),
  config: ditConfigSchema,
});

/** A validated DiT spec. */
export type DitSpec = v.InferOutput<typeof ditSpecSchema>;

/** A DiT spec as written in JSON. */
export type DitSpecInput = v.InferInput<typeof ditSpecSchema>;

/** The configuration of a DiT spec. */
export type DitConfigJSON = v.InferOutput<typeof ditConfigSchema>;

/**
 * The {@link DitDefinition} a DiT config describes (build it with `buildDitGraph`).
 *
 * @throws SpecError with the JSON path of an attention section whose builder refused it.
 *
 * @example
 * ```ts fragment
 * const spec = parseSpecDocumentJSON(readFileSync('dit-block.json', 'utf8'));
 * if (spec.kind === 'dit') buildDitGraph(ditDefinitionOfJSON(spec.config), { batch: 2 });
 * ```
 */
export function ditDefinitionOfJSON(config: DitConfigJSON): DitDefinition {
  const { timestep, classLabels, norm } = config.conditioning ?? {};
  return {
    inFeatures: config.inFeatures,
    tokens: config.tokens,
    dModel: config.dModel,
    layers: config.layers,
    outFeatures: config.outFeatures,
    attention: stackAttentionOf(config.attention, config.overrides, config.layers, 'config', 'layers'),
    mlp: mlpOptionsOfJSON(config.mlp),
    ...(timestep?.frequencies === undefined ? {} : { timestepFrequencies: timestep.frequencies }),
    ...(timestep?.maxPeriod === undefined ? {} : { maxPeriod: timestep.maxPeriod }),
    ...(classLabels === undefined ? {} : { classes: classLabels.classes }),
    ...(norm === undefined ? {} : { conditioningNorm: norm }),
  };
}
