import { add, type Graph, input, makeGraph, param, SpecError, withLabel } from '@weft/ir';
import { adaptiveLayerNorm } from '../blocks/conditional-norm-layers.js';
import { conditioningVector } from '../blocks/conditioning-vector.js';
import { linear } from '../blocks/linear.js';
import type { MlpOptions } from '../blocks/mlp.js';
import { normLayer } from '../blocks/norm-layer.js';
import { layerNormLayer } from '../blocks/norm-layers.js';
import { layerAttention, type StackAttention, transformerStack } from '../blocks/stacks.js';
import { attentionWith, checkDefinitionKeys, checkPositiveIntegers } from './definition-checks.js';
import type { ArchitectureGraphOptions } from './encoder.js';

export { timestepEmbedding } from '../blocks/conditioning-vector.js';

/**
 * A stack of DiT blocks as plain data (Peebles & Xie 2023): tokens (patchified latents) projected
 * to the stream with learned positions; a timestep embedding (sinusoids → MLP) conditions every
 * block through adaLN-Zero (per-block shift, scale and gate of each sublayer); DiT's final layer
 * (adaptive LayerNorm, then a linear projection).
 */
export interface DitDefinition {
  /** Features per input token (e.g. p²·C of a patchified latent). */
  readonly inFeatures: number;
  /** Tokens per sample (fixed: the learned position table's rows). */
  readonly tokens: number;
  /** Width of the residual stream and of the conditioning vector. */
  readonly dModel: number;
  /** Number of DiT blocks (`layers.{i}`). */
  readonly layers: number;
  /** Features per output token (DiT: p²·2C with the learned variance). */
  readonly outFeatures: number;
  /**
   * Every block's attention (`attention({...})` or its options), or `(layer) => attention` for
   * per-layer variants. Made bidirectional.
   */
  readonly attention: StackAttention;
  /** Every block's MLP (DiT: `{ kind: 'gelu', hidden: 4d, bias: true }`). */
  readonly mlp: MlpOptions;
  /** Sinusoid channels of the timestep embedding (even). Default 256. */
  readonly timestepFrequencies?: number;
  /** The longest period of the timestep sinusoids. Default 10 000. */
  readonly maxPeriod?: number;
  /**
   * Class-label conditioning: rows of the label table `classEmbedding` `[classes, d]` (DiT: 1000
   * ImageNet classes + 1 null class for classifier-free guidance). The input `classLabels`
   * `[batch]` i32 picks a row, added to the timestep embedding (`c = t + y`). None when absent.
   */
  readonly classes?: number;
  /**
   * How the condition enters the blocks: `adaLnZero` (default; per-sublayer shift, scale and a
   * gate on the residual branch) or `adaLn` (the adaptive LayerNorm `adaptiveLayerNorm()` in
   * each pre-norm slot, shift and scale only, plain residual adds).
   */
  readonly conditioningNorm?: DitConditioningNorm;
}

/** How a DiT block's sublayers read the condition (Peebles & Xie 2023, §3.2). */
export type DitConditioningNorm = 'adaLnZero' | 'adaLn';

const DIT_KEYS = [
  'inFeatures',
  'tokens',
  'dModel',
  'layers',
  'outFeatures',
  'attention',
  'mlp',
  'timestepFrequencies',
  'maxPeriod',
  'classes',
  'conditioningNorm',
];

/**
 * Builds a DiT graph from a {@link DitDefinition}.
 *
 * Inputs: `x` `[batch, tokens, inFeatures]`, `timestep` `[batch]` (f32), and `classLabels`
 * `[batch]` i32 with `classes`. Output: `output` `[batch, tokens, outFeatures]`.
 *
 * Parameters: `inputProj.weight` `[inFeatures, d]`, `inputProj.bias`, `positions` `[tokens, d]`;
 * the timestep MLP `timestep.fc1.weight` `[F, d]`, `timestep.fc1.bias`, `timestep.fc2.weight`
 * `[d, d]`, `timestep.fc2.bias`; per block the adaLN-Zero modulations
 * `layers.{i}.attnResidual.modulation.weight` `[d, 3d]` (shift, scale, gate columns) and
 * `.bias` `[3d]`, the same under `layers.{i}.mlpResidual`, and `layers.{i}.attn.*`,
 * `layers.{i}.mlp.*`; the final layer `finalNorm.modulation.weight` `[d, 2d]` (shift, scale),
 * `finalNorm.modulation.bias`, `head.weight` `[d, outFeatures]`, `head.bias`.
 *
 * @example
 * ```ts
 * const graph = buildDitGraph({
 *   inFeatures: 16, tokens: 256, dModel: 384, layers: 12, outFeatures: 32,
 *   attention: { heads: 6, headDim: 64, bias: true, outputBias: true },
 *   mlp: { kind: 'gelu', hidden: 1536, bias: true },
 * });
 * ```
 */
export function buildDitGraph(definition: DitDefinition, options: ArchitectureGraphOptions = {}): Graph {
  const block = 'dit';
  checkDefinitionKeys(block, definition, DIT_KEYS, ['attention', 'mlp']);
  checkPositiveIntegers(
    block,
    definition,
    ['inFeatures', 'tokens', 'dModel', 'layers', 'outFeatures'],
    ['timestepFrequencies', 'classes'],
  );
  const batch = options.batch ?? 1;
  checkPositiveIntegers(block, { batch }, ['batch']);
  const { inFeatures, tokens, dModel, outFeatures } = definition;
  const frequencies = definition.timestepFrequencies ?? 256;
  if (frequencies % 2 !== 0) {
    throw new SpecError(`${block}: option "timestepFrequencies" must be even (cos and sin halves)`, {
      block,
      expected: 'an even integer',
      actual: frequencies,
    });
  }
  const maxPeriod = definition.maxPeriod ?? 10_000;
  if (!(maxPeriod > 1) || !Number.isFinite(maxPeriod))
    throw new SpecError(`${block}: option "maxPeriod" must be a finite number > 1`, {
      block,
      actual: maxPeriod,
    });

  const conditioningNorm = definition.conditioningNorm ?? 'adaLnZero';
  if (conditioningNorm !== 'adaLnZero' && conditioningNorm !== 'adaLn')
    throw new SpecError(`${block}: unknown conditioningNorm`, {
      block,
      expected: "'adaLnZero' | 'adaLn'",
      actual: String(conditioningNorm),
    });

  const x = input('x', [batch, tokens, inFeatures]);
  const stream = withLabel('inputProj', () =>
    add(
      linear(x, { outFeatures: dModel, weight: 'inputProj.weight', bias: 'inputProj.bias' }),
      param('positions', [tokens, dModel]),
    ),
  );
  const condition = conditioningVector({
    batch,
    dModel,
    timestep: { frequencies, maxPeriod },
    ...(definition.classes === undefined ? {} : { classes: definition.classes }),
  })!;
  const blockNorm =
    conditioningNorm === 'adaLn'
      ? { norm: adaptiveLayerNorm() }
      : {
          // adaLN-Zero replaces the pre-norm by the modulated LayerNorm: this layer makes no parameters.
          norm: layerNormLayer({ affine: false, eps: 1e-6 }),
          residual: { kind: 'adaLnZero' } as const,
        };
  const { output } = transformerStack(
    stream,
    definition.layers,
    {
      attention: (layer) => ({
        ...attentionWith(layerAttention(definition.attention, layer), block, {}),
        causal: false,
      }),
      mlp: definition.mlp,
      ...blockNorm,
      condition,
    },
    'layers',
  );
  const modulated = normLayer(output, adaptiveLayerNorm(), 'finalNorm', condition);
  const result = withLabel('head', () =>
    linear(modulated, { outFeatures, weight: 'head.weight', bias: 'head.bias' }),
  );
  return makeGraph({ output: result });
}
