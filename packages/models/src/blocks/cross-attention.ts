import { applyAttention, attention } from '@weft/attention';
import { type Node, withLabel } from '@weft/ir';
import { mergeHeads, splitHeads } from './heads.js';
import { linear } from './linear.js';
import { childPath } from './parameter-path.js';
import { sliceAxis } from './slice-axis.js';
import { staticDimOf } from './static-dim.js';

/** Options of {@link crossAttention}. */
export interface CrossAttentionOptions {
  /** Query heads H. */
  readonly heads: number;
  /** Key/value heads (default H). */
  readonly kvHeads?: number;
  /** Width of each head. */
  readonly headDim: number;
}

/**
 * Cross-attention (Vaswani et al.'s encoder-decoder attention): queries from `x` through
 * `${name}.wq` `[d, H·dh]`, keys and values from `memory` through one fused `${name}.wkv`
 * `[d_mem, 2·Hkv·dh]`, no mask and no positions, output projection `${name}.wo` `[H·dh, d]`.
 *
 * Shapes: `x` `[B, S, d]`, `memory` `[B, M, d_mem]` → `[B, S, d]`. Nodes are labelled under
 * `name` like {@link selfAttention}'s (`${name}.q`, `${name}.kv`, `${name}.k`, `${name}.v`,
 * `${name}`, `${name}.out`).
 *
 * @example
 * ```ts
 * const y = crossAttention(decoderStates, encoderOutput, { heads: 4, headDim: 32 }, 'decoder.0.cross');
 * ```
 */
export function crossAttention(x: Node, memory: Node, options: CrossAttentionOptions, name: string): Node {
  return withLabel(name, () => buildCrossAttention(x, memory, options, name));
}

function buildCrossAttention(x: Node, memory: Node, options: CrossAttentionOptions, name: string): Node {
  const part = <T>(suffix: string, build: () => T): T => withLabel(childPath(name, suffix), build);
  const width = staticDimOf(x, -1, `cross-attention "${name}"`);
  const { heads, headDim } = options;
  const kvHeads = options.kvHeads ?? heads;
  const spec = attention({ heads, kvHeads, headDim, name });
  const query = part('q', () =>
    splitHeads(linear(x, { outFeatures: heads * headDim, weight: childPath(name, 'wq') }), heads, headDim),
  );
  const kv = part('kv', () =>
    linear(memory, { outFeatures: 2 * kvHeads * headDim, weight: childPath(name, 'wkv') }),
  );
  const last = memory.rank - 1;
  const key = part('k', () => splitHeads(sliceAxis(kv, last, 0, kvHeads * headDim), kvHeads, headDim));
  const value = part('v', () =>
    splitHeads(sliceAxis(kv, last, kvHeads * headDim, 2 * kvHeads * headDim), kvHeads, headDim),
  );
  const { output } = applyAttention(spec, { query, key, value });
  return part('out', () => linear(mergeHeads(output), { outFeatures: width, weight: childPath(name, 'wo') }));
}
