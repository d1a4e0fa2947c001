import { and, applyAttention, attention, causal, type Mask, nope, type Position } from '@weft/attention';
import { input, type Node, withLabel } from '@weft/ir';
import { mergeHeads, splitHeads } from './heads.js';
import { appendToCache, cacheWindow, type KvCacheOptions, PAST_TENSOR } from './kv-cache.js';
import { linear } from './linear.js';
import { childPath } from './parameter-path.js';
import { sliceAxis } from './slice-axis.js';
import { staticDimOf } from './static-dim.js';

/** Options of {@link selfAttention}. */
export interface SelfAttentionOptions {
  /** Query heads H. */
  readonly heads: number;
  /** Key/value heads (default H): H = MHA, 1 = MQA, a divisor of H = GQA. */
  readonly kvHeads?: number;
  /** Width of each head. */
  readonly headDim: number;
  /** RoPE, ALiBi or NoPE (default NoPE), applied inside the attention op. */
  readonly positions?: Position;
  /** Causal (decoder) or bidirectional (encoder). Default true. */
  readonly causal?: boolean;
  /** An extra mask, combined with the causal one by `and`. */
  readonly mask?: Mask;
  /** Learn a QKV bias `${name}.bqkv` (Qwen2, GPT-2). Default false. */
  readonly bias?: boolean;
  /** Decode against a KV cache kept as persistent state (see {@link KvCacheOptions}). */
  readonly cache?: KvCacheOptions;
}

/** One persistent tensor of a cached block: the input that holds it and the output that replaces it. */
export interface CacheState {
  /** The `input` node (a state input of the compiled program). */
  readonly input: Node;
  /** Its value after this step. */
  readonly output: Node;
}

/** What {@link selfAttention} returns. */
export interface SelfAttentionResult {
  /** The block output `[B, S, d]`. */
  readonly output: Node;
  /** The cache states, when decoding with a cache. */
  readonly cache?: { readonly key: CacheState; readonly value: CacheState };
}

/**
 * Multi-head self-attention: one fused QKV projection `${name}.wqkv` `[d, (H + 2·Hkv)·dh]`
 * (query columns, then key, then value), slices into heads, one `attention` op (positions, mask
 * and GQA inside it), and the output projection `${name}.wo` `[H·dh, d]`.
 *
 * With `cache`, the new keys and values are appended to state inputs `${name}.cache.key` and
 * `${name}.cache.value` (`[B, Hkv, maxSeq, dh]`) and the queries attend over the whole cache,
 * masked by `causal()` and {@link cacheWindow}.
 *
 * Shapes: `x` `[B, S, d]` → `[B, S, d]`.
 *
 * The nodes are labelled under `name` (see `withLabel` in `@weft/ir`): `${name}.qkv`, the heads
 * `${name}.q`, `${name}.k`, `${name}.v`, the cache updates `${name}.cache.key` and
 * `${name}.cache.value`, the attention `${name}` and the projection `${name}.out`.
 *
 * @example
 * ```ts
 * const { output } = selfAttention(x, { heads: 8, kvHeads: 2, headDim: 16, positions: rope() }, 'layers.0.attn');
 * ```
 */
export function selfAttention(x: Node, options: SelfAttentionOptions, name: string): SelfAttentionResult {
  return withLabel(name, () => buildSelfAttention(x, options, name));
}

function buildSelfAttention(x: Node, options: SelfAttentionOptions, name: string): SelfAttentionResult {
  const width = staticDimOf(x, -1, `attention "${name}"`);
  const { heads, headDim } = options;
  const kvHeads = options.kvHeads ?? heads;
  const masks = [
    ...(options.causal === false ? [] : [causal()]),
    ...(options.mask === undefined ? [] : [options.mask]),
    ...(options.cache === undefined ? [] : [cacheWindow()]),
  ];
  const spec = attention({
    heads,
    kvHeads,
    headDim,
    positions: options.positions ?? nope(),
    ...(masks.length === 0 ? {} : { mask: and(...masks) }),
    name,
  });
  const part = <T>(suffix: string, build: () => T): T => withLabel(childPath(name, suffix), build);
  const qkv = part('qkv', () =>
    linear(x, {
      outFeatures: (heads + 2 * kvHeads) * headDim,
      weight: childPath(name, 'wqkv'),
      ...(options.bias === true ? { bias: childPath(name, 'bqkv') } : {}),
    }),
  );
  const last = x.rank - 1;
  const query = part('q', () => splitHeads(sliceAxis(qkv, last, 0, heads * headDim), heads, headDim));
  const key = part('k', () =>
    splitHeads(sliceAxis(qkv, last, heads * headDim, (heads + kvHeads) * headDim), kvHeads, headDim),
  );
  const value = part('v', () =>
    splitHeads(
      sliceAxis(qkv, last, (heads + kvHeads) * headDim, (heads + 2 * kvHeads) * headDim),
      kvHeads,
      headDim,
    ),
  );
  const project = (attended: Node) =>
    part('out', () => linear(mergeHeads(attended), { outFeatures: width, weight: childPath(name, 'wo') }));
  const { cache } = options;
  if (cache === undefined) return { output: project(applyAttention(spec, { query, key, value }).output) };
  const stateShape = [x.shape[0]!, kvHeads, cache.maxSeq, headDim];
  const keyState = input(childPath(name, 'cache.key'), stateShape);
  const valueState = input(childPath(name, 'cache.value'), stateShape);
  const keys = part('cache.key', () => appendToCache(keyState, key));
  const values = part('cache.value', () => appendToCache(valueState, value));
  // The cache holds keys before RoPE/QK norm; hoisting them out of the kernel would re-prepare
  // the whole cache in extra dispatches at every step, so the cached step keeps them in the kernel.
  const { output } = applyAttention(
    spec,
    { query, key: keys, value: values, tensors: { [PAST_TENSOR]: cache.past } },
    { qkTransforms: 'inKernel' },
  );
  return {
    output: project(output),
    cache: { key: { input: keyState, output: keys }, value: { input: valueState, output: values } },
  };
}
