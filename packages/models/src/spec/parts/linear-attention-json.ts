import {
  constantDecay,
  elu1,
  identity,
  type LinearAttentionSpec,
  type LinearDecay,
  lightningLinearDecay,
  linearAttention,
  nalaFeatures,
  relu,
  retentionDecay,
  transnormerOutputNorm,
} from '@weft/attention/linear';
import { SpecError } from '@weft/ir';
import * as v from 'valibot';
import type { BlockAttentionJSON, LinearAttentionJSON } from '../model-spec-v2-types.js';
import { nonNegativeNumber, positiveInteger, unitFraction } from '../number-schemas.js';

const FEATURE_MAPS = { elu1, relu, identity } as const;

/**
 * A decoder block's linear attention in JSON (the `linear` key of its attention): the feature map
 * φ (`{ "kind": "elu1" | "relu" | "identity" }`, default ELU+1), a row-wise feature expansion before it
 * (`{ "kind": "nala" }`: NaLaFormer's norm-aware features, 2·d_k per row), the denominator (`false` for none,
 * or `{ "epsilon" }`), the decay (`{ "kind": "lightning" }`, `{ "kind": "retention" }` or
 * `{ "kind": "constant", "rates": [...] }`), TransNormer's output norm and the chunk size. With
 * `"kind": "log-linear"` the layer is log-linear attention instead (see `logLinearLayerOfJSON`),
 * which takes the chunk size only.
 */
export const linearAttentionJSONSchema = v.strictObject({
  kind: v.optional(v.literal('log-linear')),
  featureMap: v.optional(v.strictObject({ kind: v.picklist(['elu1', 'relu', 'identity']) })),
  featureExpansion: v.optional(v.strictObject({ kind: v.literal('nala') })),
  denominator: v.optional(v.union([v.literal(false), v.strictObject({ epsilon: nonNegativeNumber() })])),
  decay: v.optional(
    v.variant('kind', [
      v.strictObject({ kind: v.literal('lightning') }),
      v.strictObject({ kind: v.literal('retention') }),
      v.strictObject({ kind: v.literal('constant'), rates: v.array(unitFraction()) }),
    ]),
  ),
  outputNorm: v.optional(v.strictObject({ kind: v.literal('transnormer') })),
  chunkSize: v.optional(positiveInteger(64)),
});

/** The softmax-only keys a linear layer's attention section must not carry. */
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
] as const;

/** Throws the SpecError of a linear layer's key at `path.key`. */
export function refuseLinearKey(
  path: string,
  key: string,
  name: string,
  expected: string,
  actual: unknown,
): never {
  throw new SpecError(`${path}.${key}: ${expected}`, { block: name, dimension: key, expected, actual });
}

/**
 * Checks what every linear kind of layer (`linear`, `linear: { kind: "log-linear" }`) asks of its
 * attention section: no softmax-only key, causal, a plain head count (returned).
 *
 * @throws SpecError at `path.<key>` naming the layer kind `what` and the block `name`.
 */
export function checkLinearSection(
  section: BlockAttentionJSON,
  path: string,
  name: string,
  what: string,
): number {
  const refuse = (key: string, expected: string, actual: unknown): never =>
    refuseLinearKey(path, key, name, `${what} ${expected}`, actual);
  for (const key of SOFTMAX_ONLY_KEYS)
    if (section[key] !== undefined) refuse(key, 'takes no softmax-attention key (set it to null)', key);
  if (section.causal === false) refuse('causal', 'is causal in a decoder', false);
  if (typeof section.heads !== 'number') refuse('heads', 'takes a number of heads', 'a weighted head layout');
  return section.heads as number;
}

/** Where a layer sits in its stack (Lightning's decay depends on it). */
export interface LinearLayerPlace {
  /** The layer's index. */
  readonly layer: number;
  /** Layers in the stack. */
  readonly layers: number;
}

/**
 * The causal `linearAttention` spec of a decoder layer whose attention section has `linear`:
 * heads, headDim and valueDim from the section, the rest from `linear`.
 *
 * @throws SpecError at `path` when the section also has softmax-only keys (positions, mask, …),
 * `causal: false` or a weighted head layout; the builder's SpecError (naming the block) for an option out of range.
 *
 * @example
 * ```ts
 * linearAttentionOfJSON({ heads: 4, headDim: 16, linear: { decay: { kind: 'lightning' } } }, 'config.attention', 'layers.1.attn', { layer: 1, layers: 4 });
 * ```
 */
export function linearAttentionOfJSON(
  section: BlockAttentionJSON,
  path: string,
  name: string,
  place: LinearLayerPlace,
): LinearAttentionSpec {
  const json = section.linear as LinearAttentionJSON;
  const heads = checkLinearSection(section, path, name, 'a linear-attention layer ("linear")');
  if (json.kind !== undefined)
    refuseLinearKey(path, 'linear.kind', name, 'is "log-linear" or absent', json.kind);
  // The builder's own refusals name the layer's block (`layers.1.attn`).
  return linearAttention({
    heads,
    headDim: section.headDim,
    ...(section.valueDim === undefined ? {} : { valueDim: section.valueDim }),
    featureMap: FEATURE_MAPS[json.featureMap?.kind ?? 'elu1'](),
    ...(json.featureExpansion === undefined ? {} : { featureExpansion: nalaFeatures() }),
    ...(json.denominator === undefined ? {} : { denominator: json.denominator }),
    ...(json.decay === undefined ? {} : { decay: decayOf(json.decay, heads, place) }),
    ...(json.outputNorm === undefined ? {} : { outputNorm: transnormerOutputNorm() }),
    ...(json.chunkSize === undefined ? {} : { chunkSize: json.chunkSize }),
    causal: true,
    name,
  });
}

function decayOf(
  decay: NonNullable<LinearAttentionJSON['decay']>,
  heads: number,
  place: LinearLayerPlace,
): LinearDecay {
  if (decay.kind === 'lightning') return lightningLinearDecay(heads, place.layer, place.layers);
  if (decay.kind === 'retention') return retentionDecay(heads);
  return constantDecay(decay.rates);
}
