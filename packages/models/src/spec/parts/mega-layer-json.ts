import { SpecError } from '@weft/ir';
import * as v from 'valibot';
import { type MegaLayerSpec, megaLayer } from '../../blocks/mega-layer.js';
import { MODEL_SPEC_LIMITS } from '../model-spec-schema.js';
import type { BlockAttentionJSON, MegaLayerJSON } from '../model-spec-v2-types.js';
import { positiveInteger } from '../number-schemas.js';

/**
 * A decoder layer's Mega block in JSON (the `mega` key of its attention; catalog paper 70): the EMA
 * components per channel, the attention function (`softmax`, `laplace`, `relu2`; default softmax),
 * the relative-position table size P (default the model's `maxSeq`, or the attention chunk), the
 * EMA's chunk size and fairseq's chunked attention (`attentionChunk`: the keys of the query's chunk only).
 * The section gives the head: `heads` 1, `headDim` = zDim, `valueDim` = hDim.
 */
export const megaLayerJSONSchema = v.strictObject({
  components: positiveInteger(MODEL_SPEC_LIMITS.headDim),
  attentionFunction: v.optional(v.picklist(['softmax', 'laplace', 'relu2'])),
  maxPositions: v.optional(positiveInteger(MODEL_SPEC_LIMITS.maxSeq)),
  chunkSize: v.optional(positiveInteger(64)),
  attentionChunk: v.optional(positiveInteger(MODEL_SPEC_LIMITS.maxSeq)),
});

/** The softmax-attention keys a Mega layer's attention section must not carry. */
const SOFTMAX_ONLY_KEYS = [
  'kvHeads',
  'valueHeads',
  'positions',
  'qkNorm',
  'score',
  'mask',
  'normalizer',
  'bias',
  'outputBias',
  'linear',
] as const;

/**
 * The {@link MegaLayerSpec} of a decoder layer whose attention section has `mega`: zDim = `headDim`,
 * hDim = `valueDim`, the rest from `mega`.
 *
 * @throws SpecError at `path` (naming the layer's block `name`) when the section has softmax-only
 *   keys or `linear`, `causal: false`, `heads` other than 1, or no `valueDim`.
 *
 * @example
 * ```ts
 * megaLayerOfJSON({ heads: 1, headDim: 8, valueDim: 32, mega: { components: 16 } }, 'config.attention', 'layers.0.mega');
 * ```
 */
export function megaLayerOfJSON(section: BlockAttentionJSON, path: string, name: string): MegaLayerSpec {
  const json = section.mega as MegaLayerJSON;
  const refuse = (key: string, expected: string, actual: unknown): never => {
    throw new SpecError(`${path}.${key}: a Mega layer ("mega") ${expected}`, {
      block: name,
      dimension: key,
      expected,
      actual,
    });
  };
  for (const key of SOFTMAX_ONLY_KEYS)
    if (section[key] !== undefined) refuse(key, 'takes no softmax-attention key (set it to null)', key);
  if (section.causal === false) refuse('causal', 'is causal in a decoder', false);
  if (section.heads !== 1) refuse('heads', 'has one head (heads: 1)', section.heads);
  if (section.valueDim === undefined) refuse('valueDim', 'takes valueDim (its hDim)', 'none');
  return megaLayer({
    zDim: section.headDim,
    hDim: section.valueDim as number,
    components: json.components,
    ...(json.attentionFunction === undefined ? {} : { attentionFunction: json.attentionFunction }),
    ...(json.maxPositions === undefined ? {} : { maxPositions: json.maxPositions }),
    ...(json.chunkSize === undefined ? {} : { chunkSize: json.chunkSize }),
    ...(json.attentionChunk === undefined ? {} : { attentionChunk: json.attentionChunk }),
  });
}
