import { rope } from '@weft/attention';
import {
  add,
  broadcastTo,
  concat,
  conv2d,
  type Graph,
  input,
  makeGraph,
  mean,
  type Node,
  param,
  reshape,
  SpecError,
  tanh,
  transpose,
  withLabel,
} from '@weft/ir';
import { type BlockAttention, isAttentionSpec, type SelfAttentionParts } from '../blocks/attention-part.js';
import { linear } from '../blocks/linear.js';
import type { MlpOptions } from '../blocks/mlp.js';
import { type NormLayerLike, normLayer, toNormLayer } from '../blocks/norm-layer.js';
import { layerNormLayer } from '../blocks/norm-layers.js';
import { sliceAxis } from '../blocks/slice-axis.js';
import { layerAttention, type StackAttention, transformerStack } from '../blocks/stacks.js';
import { attentionWith, checkDefinitionKeys, checkPositiveIntegers } from './definition-checks.js';
import type { ArchitectureGraphOptions } from './encoder.js';

/**
 * A Vision Transformer as plain data (Dosovitskiy et al. 2021): a convolutional patch embedding,
 * a class token, learned positions or axial 2-D RoPE, pre-norm bidirectional blocks, a final norm
 * and a classification head on the class token (or on the mean of the patch tokens). Without
 * `classes` it is a backbone: the final-normed tokens are the output `hidden`, and `pooler` adds
 * Hugging Face `ViTModel`'s pooled output.
 */
export interface VitDefinition {
  /** Image height and width in pixels (one number for a square image). */
  readonly imageSize: number | readonly [number, number];
  /** Side of the square patches; must divide the image height and width. */
  readonly patchSize: number;
  /** Input channels (3 for RGB). */
  readonly channels: number;
  /** Width of the residual stream. */
  readonly dModel: number;
  /** Number of blocks (`layers.{i}`). */
  readonly layers: number;
  /** Number of classes of the head (output `logits`). Absent: no head, the output is `hidden`. */
  readonly classes?: number;
  /**
   * Every block's attention (`attention({...})` or its options; ViT: `bias: true, outputBias: true`),
   * or `(layer) => attention` for per-layer variants. Made bidirectional.
   */
  readonly attention: StackAttention;
  /** Every block's MLP (ViT: `{ kind: 'gelu', hidden: 4d, bias: true }`). */
  readonly mlp: MlpOptions;
  /** Every norm (pre-norm) and the final norm. Default `layerNormLayer({ eps: 1e-6 })`. */
  readonly norm?: NormLayerLike;
  /**
   * `learned` (default): a table `positions` `[tokens, d]` added to the tokens. `rope2d`: axial
   * 2-D RoPE on the patch grid inside every attention (`rope({ dims: 2, grid })`); it rotates
   * exactly the grid's tokens, so it needs `pool: 'mean'` (no class token).
   */
  readonly positions?: 'learned' | 'rope2d';
  /** What the head reads: the class token `cls` (default) or the mean of the patch tokens (no class token). */
  readonly pool?: 'cls' | 'mean';
  /**
   * Compute the pooled output `pooled = tanh(W h_CLS + b)` on the final-normed class token
   * (Hugging Face `ViTPooler`; needs `pool: 'cls'`). Default false.
   */
  readonly pooler?: boolean;
}

const VIT_KEYS = [
  'imageSize',
  'patchSize',
  'channels',
  'dModel',
  'layers',
  'classes',
  'attention',
  'mlp',
  'norm',
  'positions',
  'pool',
  'pooler',
];

/**
 * Builds a ViT graph from a {@link VitDefinition}.
 *
 * Input: `pixels` `[batch, channels, height, width]`. Outputs: `logits` `[batch, classes]` with
 * `classes`, otherwise `hidden` `[batch, tokens, d]` (the final-normed tokens); `pooled`
 * `[batch, d]` with `pooler`.
 *
 * Parameters: `patch.weight` `[d, channels, P, P]` and `patch.bias` `[d]` (a stride-P `conv2d`),
 * `cls` `[1, 1, d]` (with `pool: 'cls'`), `positions` `[tokens, d]` (learned positions; tokens =
 * patches + 1 with the class token), per block `layers.{i}.attnNorm.*`, `layers.{i}.attn.*`,
 * `layers.{i}.mlpNorm.*`, `layers.{i}.mlp.*`, then `finalNorm.*`, `head.weight` `[d, classes]` and
 * `head.bias` `[classes]` (with `classes`), `pooler.weight` `[d, d]` and `pooler.bias` `[d]` (with
 * `pooler`).
 *
 * @example
 * ```ts
 * const graph = buildVitGraph({
 *   imageSize: 224, patchSize: 16, channels: 3, dModel: 768, layers: 12, classes: 1000,
 *   attention: { heads: 12, headDim: 64, bias: true, outputBias: true },
 *   mlp: { kind: 'gelu', hidden: 3072, bias: true },
 * });
 * ```
 */
export function buildVitGraph(definition: VitDefinition, options: ArchitectureGraphOptions = {}): Graph {
  const block = 'vit';
  checkDefinitionKeys(block, definition, VIT_KEYS, ['imageSize', 'attention', 'mlp']);
  checkPositiveIntegers(block, definition, ['patchSize', 'channels', 'dModel', 'layers'], ['classes']);
  const batch = options.batch ?? 1;
  checkPositiveIntegers(block, { batch }, ['batch']);
  const { patchSize, channels, dModel, classes } = definition;
  const pooler = definition.pooler ?? false;
  if (typeof pooler !== 'boolean')
    throw new SpecError(`${block}: option "pooler" must be true or false`, {
      block,
      expected: 'boolean',
      actual: String(pooler),
    });
  const [height, width] =
    typeof definition.imageSize === 'number'
      ? [definition.imageSize, definition.imageSize]
      : definition.imageSize;
  checkPositiveIntegers(block, { imageHeight: height, imageWidth: width }, ['imageHeight', 'imageWidth']);
  for (const [axis, size] of [
    ['height', height],
    ['width', width],
  ] as const) {
    if (size! % patchSize !== 0) {
      throw new SpecError(`${block}: patchSize ${patchSize} does not divide the image ${axis} ${size}`, {
        block,
        dimension: axis === 'height' ? 2 : 3,
        expected: `a multiple of ${patchSize}`,
        actual: size,
      });
    }
  }
  const positions = definition.positions ?? 'learned';
  const pool = definition.pool ?? 'cls';
  if (positions !== 'learned' && positions !== 'rope2d')
    throw new SpecError(`${block}: unknown positions`, {
      block,
      expected: "'learned' | 'rope2d'",
      actual: String(positions),
    });
  if (pool !== 'cls' && pool !== 'mean')
    throw new SpecError(`${block}: unknown pool`, {
      block,
      expected: "'cls' | 'mean'",
      actual: String(pool),
    });
  if (positions === 'rope2d' && pool === 'cls') {
    throw new SpecError(
      `${block}: 2-D RoPE rotates the patch grid's tokens only; a class token does not fit it`,
      {
        block,
        expected: "pool: 'mean' with positions: 'rope2d', or learned positions",
        actual: "pool: 'cls'",
      },
    );
  }
  if (pooler && pool !== 'cls') {
    throw new SpecError(`${block}: the pooler reads the class token; pool 'mean' has none`, {
      block,
      expected: "pool: 'cls' with pooler: true",
      actual: `pool: '${pool}'`,
    });
  }
  const rows = height! / patchSize;
  const columns = width! / patchSize;
  const patches = rows * columns;
  const tokens = patches + (pool === 'cls' ? 1 : 0);
  const norm = toNormLayer(definition.norm ?? layerNormLayer({ eps: 1e-6 }), 'vit.norm');

  const pixels = input('pixels', [batch, channels, height!, width!]);
  const embedded = withLabel('patch', () => {
    const grid = conv2d(
      pixels,
      param('patch.weight', [dModel, channels, patchSize, patchSize]),
      param('patch.bias', [dModel]),
      { stride: patchSize },
    );
    // [B, d, rows, columns] → [B, rows·columns, d], tokens in row-major order (the RoPE grid's).
    let sequence = transpose(reshape(grid, [batch, dModel, patches]), [0, 2, 1]);
    if (pool === 'cls')
      sequence = concat([broadcastTo(param('cls', [1, 1, dModel]), [batch, 1, dModel]), sequence], 1);
    return positions === 'learned' ? add(sequence, param('positions', [tokens, dModel])) : sequence;
  });

  const layerAttentionOf = (layer: number) =>
    vitAttention(layerAttention(definition.attention, layer), positions, [rows, columns], block);
  const { output } = transformerStack(
    embedded,
    definition.layers,
    { attention: (layer) => ({ ...layerAttentionOf(layer), causal: false }), mlp: definition.mlp, norm },
    'layers',
  );
  const normalized = normLayer(output, norm, 'finalNorm');
  const classToken = () => reshape(sliceAxis(normalized, 1, 0, 1), [batch, dModel]);
  const outputs: Record<string, Node> = {};
  if (classes === undefined) outputs.hidden = normalized;
  else {
    const pooled = withLabel('pool', () => (pool === 'cls' ? classToken() : mean(normalized, [1])));
    outputs.logits = withLabel('head', () =>
      linear(pooled, { outFeatures: classes, weight: 'head.weight', bias: 'head.bias' }),
    );
  }
  if (pooler) {
    outputs.pooled = withLabel('pooler', () =>
      tanh(linear(classToken(), { outFeatures: dModel, weight: 'pooler.weight', bias: 'pooler.bias' })),
    );
  }
  return makeGraph(outputs);
}

/** One layer's attention: with `rope2d` the grid's RoPE, which the attention must not set itself. */
function vitAttention(
  attention: BlockAttention,
  positions: 'learned' | 'rope2d',
  grid: readonly [number, number],
  block: string,
): SelfAttentionParts {
  if (positions !== 'rope2d') return attentionWith(attention, block, {});
  if (!isAttentionSpec(attention) && attention.positions !== undefined) {
    throw new SpecError(
      `${block}: positions 'rope2d' sets the attention's positions; remove attention.positions`,
      {
        block,
        expected: 'no attention.positions',
        actual: attention.positions.name,
      },
    );
  }
  return attentionWith(attention, block, { positions: rope({ dims: 2, grid: [...grid] }) });
}
