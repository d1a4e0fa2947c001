import * as v from 'valibot';
import type { VitDefinition } from '../../architectures/vit.js';
import { normLayerOfJSON } from '../../model/decoder-definition-v2.js';
import { MODEL_SPEC_LIMITS } from '../model-spec-schema.js';
import { blockMlpSchema, MODEL_SPEC_V2_SCHEMA_VERSION } from '../model-spec-v2-schema.js';
import { positiveInteger } from '../number-schemas.js';
import { normLayerSchema } from '../parts/norm-layer-json.js';
import {
  ARCHITECTURE_LIMITS,
  architectureAttentionSchema,
  attentionOverridesSchema,
  mlpOptionsOfJSON,
  stackAttentionOf,
} from './architecture-parts.js';

const imageSide = () => positiveInteger(ARCHITECTURE_LIMITS.imageSide);

/** `[height, width]` of a ViT config's `imageSize` (one number for a square image). */
function sidesOf(imageSize: number | readonly [number, number]): readonly [number, number] {
  return typeof imageSize === 'number' ? [imageSize, imageSize] : imageSize;
}

/**
 * The configuration of a Vision Transformer (`buildVitGraph`): a stride-`patchSize` convolutional
 * patch embedding, a class token (`pool: "cls"`, default) or mean pooling, learned positions or
 * axial 2-D RoPE (`positions: "rope2d"`, with `pool: "mean"`), pre-norm bidirectional blocks and a
 * classification head. `norm` is every norm layer (default LayerNorm, ε 1e-6); `overrides`
 * change the attention of the layers they select.
 */
export const vitConfigSchema = v.pipe(
  v.strictObject({
    imageSize: v.union(
      [imageSide(), v.strictTuple([imageSide(), imageSide()])],
      (issue) => `expected a positive integer or [height, width], got ${issue.received}`,
    ),
    patchSize: positiveInteger(ARCHITECTURE_LIMITS.patchSize),
    channels: positiveInteger(ARCHITECTURE_LIMITS.channels),
    dModel: positiveInteger(MODEL_SPEC_LIMITS.dModel),
    layers: positiveInteger(MODEL_SPEC_LIMITS.layers),
    classes: positiveInteger(ARCHITECTURE_LIMITS.classes),
    attention: architectureAttentionSchema,
    mlp: blockMlpSchema,
    norm: v.optional(normLayerSchema),
    positions: v.optional(v.picklist(['learned', 'rope2d'])),
    pool: v.optional(v.picklist(['cls', 'mean'])),
    overrides: attentionOverridesSchema,
  }),
  v.forward(
    v.check(
      (config) => sidesOf(config.imageSize).every((side) => side % config.patchSize === 0),
      (issue) =>
        `expected a patch size dividing the image height and width (${sidesOf(issue.input.imageSize).join(' × ')}), got ${issue.input.patchSize}`,
    ),
    ['patchSize'],
  ),
  v.forward(
    v.check(
      (config) => config.positions !== 'rope2d' || config.pool === 'mean',
      () => 'expected "mean" with positions "rope2d" (2-D RoPE rotates the patch grid, no class token)',
    ),
    ['pool'],
  ),
  v.forward(
    v.check(
      (config) => config.positions !== 'rope2d' || config.attention.positions === undefined,
      () => 'expected no attention positions with "positions": "rope2d" (the grid RoPE takes their place)',
    ),
    ['attention', 'positions'],
  ),
);

/** A ViT spec document: `{ "$schema"?, "schemaVersion": 2, "kind": "vit", "config" }`. */
export const vitSpecSchema = v.strictObject({
  $schema: v.optional(v.string()),
  schemaVersion: v.literal(MODEL_SPEC_V2_SCHEMA_VERSION),
  kind: v.literal('vit'),
  config: vitConfigSchema,
});

/** A validated ViT spec. */
export type VitSpec = v.InferOutput<typeof vitSpecSchema>;

/** A ViT spec as written in JSON. */
export type VitSpecInput = v.InferInput<typeof vitSpecSchema>;

/** The configuration of a ViT spec. */
export type VitConfigJSON = v.InferOutput<typeof vitConfigSchema>;

/**
 * The {@link VitDefinition} a ViT config describes (build it with `buildVitGraph`).
 *
 * @throws SpecError with the JSON path of an attention section whose builder refused it.
 *
 * @example
 * ```ts fragment
 * const spec = parseSpecDocumentJSON(readFileSync('vit.json', 'utf8'));
 * if (spec.kind === 'vit') buildVitGraph(vitDefinitionOfJSON(spec.config));
 * ```
 */
export function vitDefinitionOfJSON(config: VitConfigJSON): VitDefinition {
  return {
    imageSize: config.imageSize,
    patchSize: config.patchSize,
    channels: config.channels,
    dModel: config.dModel,
    layers: config.layers,
    classes: config.classes,
    attention: stackAttentionOf(config.attention, config.overrides, config.layers, 'config', 'layers'),
    mlp: mlpOptionsOfJSON(config.mlp),
    ...(config.norm === undefined ? {} : { norm: normLayerOfJSON(config.norm) }),
    ...(config.positions === undefined ? {} : { positions: config.positions }),
    ...(config.pool === undefined ? {} : { pool: config.pool }),
  };
}
