import type { Node } from '@weft/ir';
import { childPath } from './parameter-path.js';
import {
  type TransformerBlockOptions,
  type TransformerBlockResult,
  transformerBlock,
} from './transformer-block.js';

/** What {@link transformerStack} returns. */
export interface TransformerStackResult {
  /** The last block's output. */
  readonly output: Node;
  /** Each block's KV cache states, in layer order (decoders with a cache). */
  readonly caches: readonly NonNullable<TransformerBlockResult['cache']>[];
}

/**
 * `layers` transformer blocks in sequence, named `${name}.0`, `${name}.1`, ... `block(index)`
 * gives each layer's options (the same options for every layer, or per-layer variants).
 *
 * @example
 * ```ts
 * const { output } = transformerStack(x, 4, () => blockOptions, 'layers');
 * ```
 */
export function transformerStack(
  x: Node,
  layers: number,
  block: (index: number) => TransformerBlockOptions,
  name: string,
): TransformerStackResult {
  let stream = x;
  const caches: NonNullable<TransformerBlockResult['cache']>[] = [];
  for (let index = 0; index < layers; index++) {
    const result = transformerBlock(stream, block(index), childPath(name, String(index)));
    stream = result.output;
    if (result.cache !== undefined) caches.push(result.cache);
  }
  return { output: stream, caches };
}

/**
 * An encoder stack: bidirectional blocks (`causal: false`) over `x`.
 *
 * @example
 * ```ts
 * const memory = encoderStack(source, 2, { attention: { heads: 4, headDim: 16 }, mlp, norm }, 'encoder');
 * ```
 */
export function encoderStack(
  x: Node,
  layers: number,
  block: Omit<TransformerBlockOptions, 'cache' | 'crossAttention'>,
  name: string,
): Node {
  const options = { ...block, attention: { ...block.attention, causal: false } };
  return transformerStack(x, layers, () => options, name).output;
}

/**
 * A decoder stack of an encoder-decoder model: causal self-attention, cross-attention to
 * `memory`, then the MLP, in every block.
 *
 * @example
 * ```ts
 * const y = decoderStack(target, memory, 2, { attention: { heads: 4, headDim: 16 }, mlp, norm }, 'decoder');
 * ```
 */
export function decoderStack(
  x: Node,
  memory: Node,
  layers: number,
  block: Omit<TransformerBlockOptions, 'cache' | 'crossAttention'>,
  name: string,
): Node {
  const { heads, kvHeads, headDim } = block.attention;
  const crossAttention = { heads, headDim, memory, ...(kvHeads === undefined ? {} : { kvHeads }) };
  return transformerStack(x, layers, () => ({ ...block, crossAttention }), name).output;
}
