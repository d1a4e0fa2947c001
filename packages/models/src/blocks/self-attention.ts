import { applyAttention } from '@weft/attention';
import type { LinearAttentionSpec } from '@weft/attention/linear';
import { input, type Node, SpecError, withLabel } from '@weft/ir';
import { type BlockAttention, resolveBlockAttention, type SelfAttentionParts } from './attention-part.js';
import { mergeHeads, splitHeads } from './heads.js';
import { heavyHitterCacheAttention } from './heavy-hitter-cache-attention.js';
import { appendToCache, cacheWindow, isLayoutCache, type KvCacheOptions, PAST_TENSOR } from './kv-cache.js';
import { landmarkCacheAttention } from './landmark-cache-attention.js';
import { learnedEvictionAttention } from './learned-eviction-attention.js';
import { linear } from './linear.js';
import { isLinearAttentionSpec, linearSelfAttention } from './linear-attention-block.js';
import {
  isLogLinearLayerSpec,
  type LogLinearLayerSpec,
  logLinearSelfAttention,
} from './log-linear-attention-block.js';
import { isMegaLayerSpec, type MegaLayerSpec } from './mega-layer.js';
import { childPath } from './parameter-path.js';
import { rollingCacheAttention } from './rolling-cache-attention.js';
import { sliceAxis } from './slice-axis.js';
import { staticDimOf } from './static-dim.js';

/**
 * Options of {@link selfAttention}: the attention spec's parts (every option of `attention()`
 * from `@weft/attention` but `name` and `outputs`), the block settings `causal`, `bias` and
 * `tensors` (see `AttentionBlockSettings`), and an optional KV cache.
 */
export type SelfAttentionOptions = SelfAttentionParts & {
  /** Decode against a KV cache kept as persistent state (see {@link KvCacheOptions}). */
  readonly cache?: KvCacheOptions;
};

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
  /**
   * Every persistent tensor of the step, when decoding with a cache: the KV cache's key and value,
   * or a linear-attention layer's recurrent state (S, and z with a denominator).
   */
  readonly states?: readonly CacheState[];
}

/**
 * What a self-attention slot takes: a softmax attention (spec value or options, see
 * {@link BlockAttention}) or a linear-attention spec (`linearAttention({...})` of
 * `@weft/attention/linear`, causal in a decoder), whose decode state is S (and z), not a KV cache,
 * or a log-linear layer (`logLinearLayer({...})`), whose decode state is its Fenwick levels.
 */
export type SelfAttentionSlot = BlockAttention | LinearAttentionSpec | LogLinearLayerSpec;

/**
 * What a transformer block's `attention` takes: a {@link SelfAttentionSlot}, or a Mega layer
 * (`megaLayer({...})`: it replaces the attention sublayer and its residual; its decode state is
 * the EMA's h and its single head's keys and values).
 */
export type BlockSelfAttention = SelfAttentionSlot | MegaLayerSpec;

/**
 * Multi-head self-attention: one fused QKV projection `${name}.wqkv`
 * `[d, H·dk + Hkv·dk + Hv·dv]` (query columns, then key, then value), slices into heads, one
 * `attention` op carrying every part of the spec (positions, QK norm, score mods, masks,
 * normalizer, GQA and decoupled value heads inside it), and the output projection `${name}.wo`
 * `[H·dv, d]` (with its bias `${name}.bo` when `outputBias`).
 *
 * `attention` is the value `attention({...})` returns or its options (with the block settings
 * `causal`, `bias`, `outputBias`, `tensors`); the block renames the spec `name` and combines `causal()`
 * (unless `causal: false`) with the spec's mask. With `cache`, the new keys and values are
 * appended to state inputs `${name}.cache.key` `[B, Hkv, maxSeq, dk]` and `${name}.cache.value`
 * `[B, Hv, maxSeq, dv]`, and the queries attend over the whole cache, masked by `causal()`, the
 * spec's mask and {@link cacheWindow}. With `cache.rolling`, the caches are rolling caches of that
 * layout instead (keys stored after QK norm and RoPE, see `rollingCacheAttention`); with
 * `cache.heavyHitter`, `cache.nats` or `cache.lte`, per-KV-head caches that evict by score (the
 * last two with the layer's learned scorer, see `learnedEvictionAttention`); with `cache.landmark`,
 * blocks with a landmark key each, retrieved by score (see `landmarkCacheAttention`).
 *
 * Shapes: `x` `[B, S, d]` → `[B, S, d]`.
 *
 * The nodes are labelled under `name` (see `withLabel` in `@weft/ir`): `${name}.qkv`, the heads
 * `${name}.q`, `${name}.k`, `${name}.v`, the cache updates `${name}.cache.key` and
 * `${name}.cache.value`, the attention `${name}` and the projection `${name}.out`.
 *
 * @example
 * ```ts
 * import { alibi, attention, rope, sigmoid } from '@weft/attention';
 *
 * const x = input('x', [1, 16, 128]);
 * const { output } = selfAttention(x, { heads: 8, kvHeads: 2, headDim: 16, positions: rope() }, 'layers.0.attn');
 * const sigmoidAlibi = attention({ heads: 8, headDim: 16, positions: alibi(), normalizer: sigmoid() });
 * const other = selfAttention(x, sigmoidAlibi, 'layers.1.attn');
 * ```
 */
export function selfAttention(
  x: Node,
  options: SelfAttentionSlot | SelfAttentionOptions,
  name: string,
): SelfAttentionResult {
  return withLabel(name, () => buildSelfAttention(x, options, name));
}

/** {@link selfAttention} with the cache given apart from the attention (how transformer blocks call it). */
export function selfAttentionWithCache(
  x: Node,
  part: BlockSelfAttention,
  cache: KvCacheOptions | undefined,
  name: string,
  where = '',
  block = `self-attention "${name}"`,
): SelfAttentionResult {
  return withLabel(name, () => buildCachedAttention(x, part, cache, name, where, block));
}

function buildSelfAttention(
  x: Node,
  options: SelfAttentionSlot | SelfAttentionOptions,
  name: string,
): SelfAttentionResult {
  if (isLinearAttentionSpec(options) || isLogLinearLayerSpec(options))
    return buildCachedAttention(x, options, undefined, name, '', `self-attention "${name}"`);
  if (typeof options === 'object' && options !== null && 'cache' in options) {
    const { cache, ...part } = options as SelfAttentionOptions;
    return buildCachedAttention(x, part, cache, name, '', `self-attention "${name}"`);
  }
  return buildCachedAttention(x, options, undefined, name, '', `self-attention "${name}"`);
}

function buildCachedAttention(
  x: Node,
  slot: BlockSelfAttention,
  cache: KvCacheOptions | undefined,
  name: string,
  where: string,
  block: string,
): SelfAttentionResult {
  if (isMegaLayerSpec(slot))
    throw new SpecError(
      `${block}: a Mega layer replaces the attention and its residual: put it in a transformer block`,
      {
        block: name,
        expected: 'a softmax or linear attention',
        actual: 'megaLayer',
      },
    );
  if (isLinearAttentionSpec(slot)) {
    const { output, states } = linearSelfAttention(x, slot, cache, name, block, true);
    return states === undefined ? { output } : { output, states };
  }
  if (isLogLinearLayerSpec(slot)) {
    const { output, states } = logLinearSelfAttention(x, slot, cache, name, block);
    return states === undefined ? { output } : { output, states };
  }
  const width = staticDimOf(x, -1, `attention "${name}"`);
  const { spec, bias, outputBias, tensors } = resolveBlockAttention(slot, {
    block,
    path: name,
    where,
    causalByDefault: true,
    ...(cache === undefined || isLayoutCache(cache)
      ? {}
      : { extraMasks: [cacheWindow(staticDimOf(x, 0, `attention "${name}"`))] }),
  });
  const { heads, kvHeads, valueHeads, headDim, valueDim } = spec;
  const queryWidth = heads * headDim;
  const keyWidth = kvHeads * headDim;
  const valueWidth = valueHeads * valueDim;
  const part = <T>(suffix: string, build: () => T): T => withLabel(childPath(name, suffix), build);
  const qkv = part('qkv', () =>
    linear(x, {
      outFeatures: queryWidth + keyWidth + valueWidth,
      weight: childPath(name, 'wqkv'),
      ...(bias ? { bias: childPath(name, 'bqkv') } : {}),
    }),
  );
  const last = x.rank - 1;
  const query = part('q', () => splitHeads(sliceAxis(qkv, last, 0, queryWidth), heads, headDim));
  const key = part('k', () =>
    splitHeads(sliceAxis(qkv, last, queryWidth, queryWidth + keyWidth), kvHeads, headDim),
  );
  const value = part('v', () =>
    splitHeads(
      sliceAxis(qkv, last, queryWidth + keyWidth, queryWidth + keyWidth + valueWidth),
      valueHeads,
      valueDim,
    ),
  );
  const project = (attended: Node) =>
    part('out', () =>
      linear(mergeHeads(attended), {
        outFeatures: width,
        weight: childPath(name, 'wo'),
        ...(outputBias ? { bias: childPath(name, 'bo') } : {}),
      }),
    );
  if (cache === undefined) {
    const inputs = { query, key, value, ...(Object.keys(tensors).length === 0 ? {} : { tensors }) };
    return { output: project(applyAttention(spec, inputs).output) };
  }
  if (PAST_TENSOR in tensors) {
    throw new SpecError(`${block}: captured tensor "${PAST_TENSOR}" is the KV cache's; rename yours`, {
      block: name,
      tensor: PAST_TENSOR,
      expected: `a name other than "${PAST_TENSOR}"`,
    });
  }
  if (cache.heavyHitter !== undefined) {
    const scored = { past: cache.past, heavyHitter: cache.heavyHitter };
    const built = heavyHitterCacheAttention(spec, { query, key, value, tensors }, scored, name);
    return { output: project(built.output), cache: built.cache, states: built.states };
  }
  if (cache.nats !== undefined || cache.lte !== undefined) {
    const built = learnedEvictionAttention(x, spec, { query, key, value, tensors }, cache, name);
    return { output: project(built.output), states: built.states };
  }
  if (cache.landmark !== undefined) {
    const retrieval = { past: cache.past, landmark: cache.landmark };
    const built = landmarkCacheAttention(spec, { query, key, value, tensors }, retrieval, name);
    return { output: project(built.output), cache: built.cache, states: built.states };
  }
  if (cache.rolling !== undefined) {
    const rolling = { ...cache, rolling: cache.rolling };
    const { output, cache: states } = rollingCacheAttention(
      spec,
      { query, key, value, tensors },
      rolling,
      name,
    );
    return { output: project(output), cache: states, states: [states.key, states.value] };
  }
  const batch = x.shape[0]!;
  const keyState = input(childPath(name, 'cache.key'), [batch, kvHeads, cache.maxSeq, headDim]);
  const valueState = input(childPath(name, 'cache.value'), [batch, valueHeads, cache.maxSeq, valueDim]);
  const keys = part('cache.key', () => appendToCache(keyState, key));
  const values = part('cache.value', () => appendToCache(valueState, value));
  // The cache holds keys before RoPE/QK norm; hoisting them out of the kernel would re-prepare
  // the whole cache in extra dispatches at every step, so the cached step keeps them in the kernel.
  const { output } = applyAttention(
    spec,
    { query, key: keys, value: values, tensors: { ...tensors, [PAST_TENSOR]: cache.past } },
    { qkTransforms: 'inKernel' },
  );
  const keyCache = { input: keyState, output: keys };
  const valueCache = { input: valueState, output: values };
  return {
    output: project(output),
    cache: { key: keyCache, value: valueCache },
    states: [keyCache, valueCache],
  };
}
