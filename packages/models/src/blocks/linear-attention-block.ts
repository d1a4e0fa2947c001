import {
  applyLinearAttention,
  type LinearAttentionSpec,
  linearAttentionStateInputs,
} from '@weft/attention/linear';
import { type Node, SpecError, withLabel } from '@weft/ir';
import { mergeHeads, splitHeads } from './heads.js';
import type { KvCacheOptions } from './kv-cache.js';
import { linear } from './linear.js';
import { childPath } from './parameter-path.js';
import type { CacheState } from './self-attention.js';
import { sliceAxis } from './slice-axis.js';
import { staticDimOf } from './static-dim.js';

/**
 * Whether a block's attention slot holds a linear-attention spec (`linearAttention({...})` of
 * `@weft/attention/linear`).
 *
 * @example
 * ```ts
 * import { linearAttention } from '@weft/attention/linear';
 *
 * isLinearAttentionSpec(linearAttention({ heads: 4, headDim: 16, causal: true })); // true
 * ```
 */
export function isLinearAttentionSpec(value: unknown): value is LinearAttentionSpec {
  return (
    typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'linear-attention'
  );
}

/** What {@link linearSelfAttention} builds. */
export interface LinearSelfAttentionResult {
  /** The block output `[B, S, d]`. */
  readonly output: Node;
  /** The recurrent state (S, and z with a denominator), when decoding with a cache. */
  readonly states?: readonly CacheState[];
}

/**
 * Self-attention through a linear-attention spec: the fused projection `${name}.wqkv`
 * `[d, 2·H·dk + H·dv]` (query, key, value columns), heads, one `linearAttention` op (the spec
 * named `name`), and `${name}.wo` `[H·dv, d]`. With `cache`, the layer keeps its recurrent state
 * instead of keys and values: state inputs `${name}.cache.state` `[B, H, d_k, d_v]` and, with a
 * denominator, `${name}.cache.keyState` `[B, H, d_k]` (d_k the spec's feature count). A step reads
 * and replaces them, so its cost does not grow with the past; `cache.past` and `maxSeq` are not
 * read (a zeroed state is an empty prefix).
 *
 * `block` starts error messages (`transformer block "layers.0"`); `causalBlock` is whether the
 * block is causal (a decoder's), which needs a causal spec.
 *
 * @example
 * ```ts
 * import { linearAttention } from '@weft/attention/linear';
 *
 * const x = input('x', [1, 8, 64]); // [batch, positions, width]
 * const spec = linearAttention({ heads: 4, headDim: 16, causal: true });
 * const { output } = linearSelfAttention(x, spec, undefined, 'layers.0.attn', 'block "layers.0"', true);
 * ```
 * @throws SpecError naming the block when a causal block gets a spec without `causal: true`.
 */
export function linearSelfAttention(
  x: Node,
  spec: LinearAttentionSpec,
  cache: KvCacheOptions | undefined,
  name: string,
  block: string,
  causalBlock: boolean,
): LinearSelfAttentionResult {
  if (causalBlock && !spec.causal) {
    throw new SpecError(`${block}: a causal block needs a linear-attention spec with causal: true`, {
      block: name,
      expected: 'linearAttention({ ..., causal: true })',
      actual: 'causal: false',
    });
  }
  const named: LinearAttentionSpec = { ...spec, name };
  const width = staticDimOf(x, -1, `attention "${name}"`);
  const { heads, headDim, valueDim } = named;
  const keyWidth = heads * headDim;
  const valueWidth = heads * valueDim;
  const part = <T>(suffix: string, build: () => T): T => withLabel(childPath(name, suffix), build);
  const qkv = part('qkv', () =>
    linear(x, { outFeatures: 2 * keyWidth + valueWidth, weight: childPath(name, 'wqkv') }),
  );
  const last = x.rank - 1;
  const query = part('q', () => splitHeads(sliceAxis(qkv, last, 0, keyWidth), heads, headDim));
  const key = part('k', () => splitHeads(sliceAxis(qkv, last, keyWidth, 2 * keyWidth), heads, headDim));
  const value = part('v', () =>
    splitHeads(sliceAxis(qkv, last, 2 * keyWidth, 2 * keyWidth + valueWidth), heads, valueDim),
  );
  const project = (attended: Node) =>
    part('out', () => linear(mergeHeads(attended), { outFeatures: width, weight: childPath(name, 'wo') }));
  if (cache === undefined)
    return { output: project(applyLinearAttention(named, { query, key, value }).output) };
  const batch = staticDimOf(x, 0, `attention "${name}"`);
  const state = linearAttentionStateInputs(named, batch, childPath(name, 'cache'));
  const applied = applyLinearAttention(named, { query, key, value, state });
  const next = applied.state!;
  const states: CacheState[] = [{ input: state.values, output: next.values }];
  if (state.keys !== undefined) states.push({ input: state.keys, output: next.keys! });
  return { output: project(applied.output), states };
}
