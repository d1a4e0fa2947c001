import type { AttentionSpec } from '@weft/attention';
import { type Node, SpecError } from '@weft/ir';
import { attentionOptionsOf, isAttentionSpec } from './attention-part.js';
import { isLinearAttentionSpec } from './linear-attention-block.js';
import { isLogLinearLayerSpec } from './log-linear-attention-block.js';
import { isMegaLayerSpec } from './mega-layer.js';
import { childPath } from './parameter-path.js';
import type { BlockSelfAttention, CacheState, SelfAttentionSlot } from './self-attention.js';
import {
  type TransformerBlockOptions,
  type TransformerBlockResult,
  transformerBlock,
} from './transformer-block.js';

/** A block's attention in a stack: one for every layer, or a function of the layer index (per-layer hybrids). */
export type StackAttention = SelfAttentionSlot | ((layer: number) => SelfAttentionSlot);

/** Options of each block of a stack: {@link TransformerBlockOptions}, whose attention may depend on the layer. */
export type StackBlockOptions = Omit<TransformerBlockOptions, 'attention'> & {
  /** The attention of every layer, or `(layer) => attention` for per-layer variants. */
  readonly attention: StackAttention | BlockSelfAttention | ((layer: number) => BlockSelfAttention);
};

/** What {@link transformerStack} returns. */
export interface TransformerStackResult {
  /** The last block's output. */
  readonly output: Node;
  /** Each block's KV cache states, in layer order (decoders with a cache). */
  readonly caches: readonly NonNullable<TransformerBlockResult['cache']>[];
  /** Every persistent tensor of every block (KV caches, linear layers' S and z), in layer order. */
  readonly states: readonly CacheState[];
}

/**
 * The options of layer `index` of a stack: `block` called with the index when it is a function,
 * then the attention called with the index when it is one.
 *
 * @example
 * ```ts
 * import { attention, causal, rope } from '@weft/attention';
 *
 * const specs = [1, 2, 4].map((kvHeads) => attention({ heads: 8, kvHeads, headDim: 16, positions: rope(), mask: causal() }));
 * const feedForward = { kind: 'swiglu', hidden: 344 } as const;
 * const third = layerBlockOptions({ attention: (layer) => specs[layer]!, mlp: feedForward, norm: rmsNormLayer() }, 2); // attention: specs[2]
 * ```
 */
export function layerBlockOptions(
  block: StackBlockOptions | ((index: number) => StackBlockOptions),
  index: number,
): TransformerBlockOptions {
  const options = typeof block === 'function' ? block(index) : block;
  return { ...options, attention: layerAttention(options.attention, index) };
}

/**
 * The attention of layer `index`: `attention(index)` for a per-layer function, else `attention`.
 *
 * @example
 * ```ts
 * import { attention, slidingWindow } from '@weft/attention';
 *
 * const global = attention({ heads: 8, headDim: 16 });
 * const local = attention({ heads: 8, headDim: 16, mask: slidingWindow(128) });
 * layerAttention((layer) => (layer % 2 === 0 ? global : local), 3); // local
 * ```
 */
export function layerAttention<Slot extends BlockSelfAttention = SelfAttentionSlot>(
  attention: Slot | ((layer: number) => Slot),
  index: number,
): Slot {
  return typeof attention === 'function' ? attention(index) : attention;
}

/**
 * `layers` transformer blocks in sequence, named `${name}.0`, `${name}.1`, ... `block` gives every
 * layer's options, or is a function of the layer index; the attention inside may also be a
 * function of the layer index, for hybrids such as sliding-window RoPE layers between global NoPE ones.
 *
 * @example
 * ```ts
 * import { attention, rope, slidingWindow } from '@weft/attention';
 *
 * const x = input('x', [1, 256, 128]);
 * const { output } = transformerStack(x, 4, {
 *   attention: (layer) =>
 *     layer % 4 === 3
 *       ? attention({ heads: 8, headDim: 16 })
 *       : attention({ heads: 8, headDim: 16, positions: rope(), mask: slidingWindow(128) }),
 *   mlp: { kind: 'swiglu', hidden: 344 },
 *   norm: rmsNormLayer(),
 * }, 'layers');
 * ```
 */
export function transformerStack(
  x: Node,
  layers: number,
  block: StackBlockOptions | ((index: number) => StackBlockOptions),
  name: string,
): TransformerStackResult {
  if (!Number.isInteger(layers) || layers < 0) {
    throw new SpecError(`transformer stack "${name}": layers must be a whole number`, {
      block: name,
      expected: 'integer >= 0',
      actual: layers,
    });
  }
  let stream = x;
  const caches: NonNullable<TransformerBlockResult['cache']>[] = [];
  const states: CacheState[] = [];
  for (let index = 0; index < layers; index++) {
    const result = transformerBlock(stream, layerBlockOptions(block, index), childPath(name, String(index)));
    stream = result.output;
    if (result.cache !== undefined) caches.push(result.cache);
    if (result.states !== undefined) states.push(...result.states);
  }
  return { output: stream, caches, states };
}

/** Options of a block of {@link encoderStack} or {@link decoderStack}: no cache, no cross-attention of its own. */
export type EncoderDecoderBlockOptions = Omit<StackBlockOptions, 'cache' | 'crossAttention'>;

/**
 * An encoder stack: bidirectional blocks (`causal: false`, also for spec values) over `x`.
 *
 * @example
 * ```ts
 * const source = input('source', [1, 12, 64]);
 * const feedForward = { kind: 'gelu', hidden: 256 } as const;
 * const memory = encoderStack(source, 2, { attention: { heads: 4, headDim: 16 }, mlp: feedForward, norm: layerNormLayer() }, 'encoder');
 * ```
 */
export function encoderStack(x: Node, layers: number, block: EncoderDecoderBlockOptions, name: string): Node {
  const bidirectional = (layer: number): SelfAttentionSlot => {
    const attention = encoderDecoderAttention(block.attention, layer, childPath(name, String(layer)));
    if (isLinearAttentionSpec(attention) || isLogLinearLayerSpec(attention)) {
      throw new SpecError(
        `encoder stack "${name}": layer ${layer} has linear attention (causal only in blocks)`,
        {
          block: childPath(name, String(layer)),
          expected: 'a softmax attention spec or its options',
          actual: attention.kind,
        },
      );
    }
    return isAttentionSpec(attention)
      ? { ...attentionOptionsOf(attention), causal: false }
      : { ...attention, causal: false };
  };
  const options = { ...block, attention: bidirectional };
  return transformerStack(x, layers, options, name).output;
}

/**
 * A decoder stack of an encoder-decoder model: causal self-attention, cross-attention to
 * `memory` (with the self-attention's heads and head dim), then the MLP, in every block.
 *
 * @example
 * ```ts
 * const target = input('target', [1, 8, 64]);
 * const memory = input('memory', [1, 12, 64]); // the encoder's output
 * const feedForward = { kind: 'gelu', hidden: 256 } as const;
 * const y = decoderStack(target, memory, 2, { attention: { heads: 4, headDim: 16 }, mlp: feedForward, norm: layerNormLayer() }, 'decoder');
 * ```
 */
export function decoderStack(
  x: Node,
  memory: Node,
  layers: number,
  block: EncoderDecoderBlockOptions,
  name: string,
): Node {
  return transformerStack(
    x,
    layers,
    (layer) => {
      const attention = encoderDecoderAttention(block.attention, layer, childPath(name, String(layer)));
      return { ...block, attention, crossAttention: { memory, ...crossHeadsOf(attention) } };
    },
    name,
  ).output;
}

/** The head layout of a cross-attention matching a self-attention: heads, key/value heads, head dim. */
function crossHeadsOf(attention: SelfAttentionSlot): { heads: number; headDim: number; kvHeads?: number } {
  if (isLinearAttentionSpec(attention) || isLogLinearLayerSpec(attention))
    return { heads: attention.heads, headDim: attention.headDim };
  const spec: Pick<AttentionSpec, 'heads' | 'headDim'> & { kvHeads?: number | undefined } = isAttentionSpec(
    attention,
  )
    ? attention
    : {
        heads: typeof attention.heads === 'number' ? attention.heads : attention.heads.heads,
        headDim: attention.headDim,
        kvHeads: typeof attention.heads === 'number' ? attention.kvHeads : attention.heads.kvHeads,
      };
  return {
    heads: spec.heads,
    headDim: spec.headDim,
    ...(spec.kvHeads === undefined ? {} : { kvHeads: spec.kvHeads }),
  };
}

/**
 * A layer's attention in an encoder or an encoder-decoder's decoder stack: a Mega layer is refused
 * (decoder-only models keep its state).
 *
 * @example
 * ```ts
 * encoderDecoderAttention({ heads: 4, headDim: 16 }, 0, 'encoder.0'); // the options as given
 * ```
 * @throws SpecError naming the block for a Mega layer.
 */
export function encoderDecoderAttention(
  attention: StackBlockOptions['attention'],
  layer: number,
  block: string,
): SelfAttentionSlot {
  const slot = layerAttention<BlockSelfAttention>(attention, layer);
  if (isMegaLayerSpec(slot))
    throw new SpecError(`stack layer "${block}": a Mega layer is for decoder-only models`, {
      block,
      expected: 'a softmax or linear attention',
      actual: 'megaLayer',
    });
  return slot;
}
