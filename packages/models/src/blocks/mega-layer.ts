import { applyMegaBlock, type MegaAttentionFunction } from '@weft/attention/linear';
import { type Dim, input, type Node, SpecError, withLabel } from '@weft/ir';
import { appendToCache, isLayoutCache, type KvCacheOptions } from './kv-cache.js';
import { childPath } from './parameter-path.js';
import type { CacheState } from './self-attention.js';
import { staticDimOf } from './static-dim.js';

/** Options of {@link megaLayer}: the sizes and switches of `megaBlock` (`@weft/attention/linear`) a decoder layer sets. */
export interface MegaLayerOptions {
  /** Width of the shared query/key representation Z (fairseq `zdim`). */
  readonly zDim: number;
  /** Width of the values and of the reset gate r (fairseq `hdim`). */
  readonly hDim: number;
  /** EMA components per channel (fairseq `ndim`, typically 16). */
  readonly components: number;
  /** Default `softmax`. */
  readonly attentionFunction?: MegaAttentionFunction;
  /** Size P of the relative-position table `[2P − 1]`; default (and least) the model's `maxSeq`. */
  readonly maxPositions?: number;
  /** Positions per chunk of the EMA's causal sweep (default the op's). */
  readonly chunkSize?: number;
  /**
   * fairseq's chunked attention (Mega-chunk): a query sees only the keys of its own chunk of this
   * many positions; `maxPositions` then defaults to the chunk. Default: every earlier key.
   */
  readonly attentionChunk?: number;
}

/** A decoder layer's Mega block, as a self-attention slot holds it (see {@link megaLayer}). */
export interface MegaLayerSpec extends MegaLayerOptions {
  /** Discriminator. */
  readonly kind: 'mega-block';
}

const MEGA_LAYER_OPTIONS = [
  'zDim',
  'hDim',
  'components',
  'attentionFunction',
  'maxPositions',
  'chunkSize',
  'attentionChunk',
];

/**
 * Mega's moving-average gated attention block (catalog paper 70) as a decoder layer: put it in a
 * block's `attention` slot. It replaces the attention sublayer and its residual (the block has its
 * own pre-LayerNorm and gated residual y = x + u ⊙ (H − x)); the block's MLP sublayer follows as
 * usual. Causal: the causal EMA and a causal mask. Its parameters sit under `layers.{i}.mega.*`
 * (the names of `megaBlock`). Decoding keeps the EMA's h `[B, D, N, 1]` and a KV cache of its single
 * head (`[B, 1, maxSeq, zDim]` keys, `[B, 1, maxSeq, hDim]` values) on the device.
 *
 * @example
 * ```ts
 * const block = { attention: megaLayer({ zDim: 8, hDim: 32, components: 4 }), mlp: { kind: 'swiglu', hidden: 64 }, norm: layerNormLayer() } as const;
 * ```
 * @throws SpecError naming the option when an option is unknown or a size is not an integer >= 1.
 */
export function megaLayer(options: MegaLayerOptions): MegaLayerSpec {
  for (const key of Object.keys(options))
    if (!MEGA_LAYER_OPTIONS.includes(key))
      throw new SpecError(`megaLayer: unknown option "${key}"`, {
        block: 'megaLayer',
        dimension: key,
        expected: MEGA_LAYER_OPTIONS.join(' | '),
        actual: key,
      });
  for (const key of ['zDim', 'hDim', 'components', 'maxPositions', 'chunkSize', 'attentionChunk'] as const) {
    const value = options[key];
    if (value !== undefined && !(Number.isInteger(value) && value >= 1))
      throw new SpecError(`megaLayer: option "${key}" must be an integer >= 1`, {
        block: 'megaLayer',
        dimension: key,
        expected: 'an integer >= 1',
        actual: value,
      });
  }
  return { kind: 'mega-block', ...options };
}

/**
 * Whether a block's attention slot holds a Mega layer ({@link megaLayer}).
 *
 * @example
 * ```ts
 * isMegaLayerSpec(megaLayer({ zDim: 8, hDim: 32, components: 4 })); // true
 * ```
 */
export function isMegaLayerSpec(value: unknown): value is MegaLayerSpec {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'mega-block';
}

/** What {@link megaLayerBlock} builds. */
export interface MegaLayerResult {
  /** The block output `[B, S, d]` (the residual included). */
  readonly output: Node;
  /** The EMA's h and the head's keys and values, when decoding with a cache. */
  readonly states?: readonly CacheState[];
}

/**
 * The causal Mega block of a decoder layer over the stream x `[B, S, d]`, parameters under `name`.
 * With `cache` (right-aligned caches of `maxSeq` slots, see `KvCacheOptions`), the state inputs
 * `${name}.cache.ema` `[B, d, N, 1]`, `${name}.cache.key` `[B, 1, maxSeq, zDim]` and
 * `${name}.cache.value` `[B, 1, maxSeq, hDim]` are read and replaced: a zeroed state is an empty prefix.
 *
 * @example
 * ```ts
 * const { output } = megaLayerBlock(input('x', [1, 8, 16]), megaLayer({ zDim: 8, hDim: 16, components: 4 }), undefined, 'layers.0.mega', 'block "layers.0"');
 * ```
 * @throws SpecError naming the block under a rolling, evicting (heavy-hitter, NAtS, LTE) or landmark cache (a Mega layer keeps every key).
 */
export function megaLayerBlock(
  x: Node,
  spec: MegaLayerSpec,
  cache: KvCacheOptions | undefined,
  name: string,
  block: string,
): MegaLayerResult {
  if (cache !== undefined && isLayoutCache(cache))
    throw new SpecError(`${block}: a Mega layer keeps every key; use the cache policy 'error'`, {
      block: name,
      expected: "cache policy 'error'",
      actual: cache.rolling !== undefined ? 'a rolling cache' : 'an evicting or retrieving cache',
    });
  const { zDim, hDim, components } = spec;
  const width = staticDimOf(x, -1, `Mega layer "${name}"`);
  // The farthest key a query sees: maxSeq back, or its chunk's start.
  const span = Math.min(
    cache?.maxSeq ?? maxLengthOf(x.shape[1]!),
    spec.attentionChunk ?? Number.POSITIVE_INFINITY,
  );
  const maxPositions = spec.maxPositions ?? span;
  if (maxPositions < span)
    throw new SpecError(
      `${block}: the Mega layer's maxPositions must cover the model's maxSeq (or its attention chunk)`,
      {
        block: name,
        tensor: `${name}.relPosBias`,
        expected: `>= ${span}`,
        actual: maxPositions,
      },
    );
  const options = {
    name,
    zDim,
    hDim,
    components,
    causal: true,
    maxPositions,
    ...(spec.attentionFunction === undefined ? {} : { attentionFunction: spec.attentionFunction }),
    ...(spec.chunkSize === undefined ? {} : { chunkSize: spec.chunkSize }),
    ...(spec.attentionChunk === undefined ? {} : { attentionChunk: spec.attentionChunk }),
  };
  return withLabel(name, () => {
    if (cache === undefined) return { output: applyMegaBlock(x, options).output };
    const batch = staticDimOf(x, 0, `Mega layer "${name}"`);
    const held = {
      ema: input(childPath(name, 'cache.ema'), [batch, width, components, 1]),
      keys: input(childPath(name, 'cache.key'), [batch, 1, cache.maxSeq, zDim]),
      values: input(childPath(name, 'cache.value'), [batch, 1, cache.maxSeq, hDim]),
    };
    const applied = applyMegaBlock(x, {
      ...options,
      cache: { ...held, past: cache.past, append: appendToCache },
    });
    const next = applied.state!;
    return {
      output: applied.output,
      states: [
        { input: held.ema, output: next.ema },
        { input: held.keys, output: next.keys },
        { input: held.values, output: next.values },
      ],
    };
  });
}

/** The most positions an x of this length axis holds: its size, or a symbolic dim's max. */
function maxLengthOf(length: Dim): number {
  return typeof length === 'number' ? length : length.max;
}
