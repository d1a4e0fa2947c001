import {
  add,
  concat,
  type Dim,
  input,
  matmul,
  mul,
  type Node,
  param,
  reshape,
  ShapeError,
  SLICE_END,
  SpecError,
  sigmoid,
  silu,
  slice,
  sub,
} from '@weft/ir';
import { layerNorm } from '@weft/norms';
import { type MegaAttentionFunction, megaAttention } from './mega-attention.js';
import { megaEma } from './mega-ema.js';

export type { MegaAttentionFunction } from './mega-attention.js';

/** Options of {@link megaBlock}. */
export interface MegaBlockOptions {
  /** Block name prefixing every parameter (see {@link megaBlock}). */
  readonly name: string;
  /** Width of the shared query/key representation Z (fairseq `zdim`). */
  readonly zDim: number;
  /** Width of the values and of the reset gate r (fairseq `hdim`). */
  readonly hDim: number;
  /** EMA components per channel (fairseq `ndim`, typically 16). */
  readonly components: number;
  /** Forward plus backward EMA (fairseq `bidirectional`); non-causal. Default false. */
  readonly bidirectional?: boolean;
  /** Causal attention mask (a decoder layer); excludes `bidirectional`. Default false. */
  readonly causal?: boolean;
  /** Default `softmax`. */
  readonly attentionFunction?: MegaAttentionFunction;
  /**
   * Size P of the relative-position table `[2P − 1]` (fairseq `max_positions`). Default the keys of
   * the call (L, plus the cached ones); fix it when decoding, so that every step reads one table.
   */
  readonly maxPositions?: number;
  /** LayerNorm before the block (fairseq `prenorm`, default true) or after its residual (false). */
  readonly prenorm?: boolean;
  /** Positions per chunk of the EMA's causal sweeps (default the op's). */
  readonly chunkSize?: number;
  /**
   * fairseq's chunked attention (Mega-chunk): the attention sees only the keys of the query's own
   * chunk of this many positions (block-diagonal; the EMA still spans the whole sequence). Then
   * `maxPositions` defaults to (and needs only cover) the chunk. Default: one chunk, every key.
   */
  readonly attentionChunk?: number;
}

/** What a causal Mega block carries from one call to the next. */
export interface MegaBlockState {
  /** The EMA's h `[B, D, N, 1]`. */
  readonly ema: Node;
  /** The keys so far `[B, 1, past, zDim]`. */
  readonly keys: Node;
  /** The values so far `[B, 1, past, hDim]`. */
  readonly values: Node;
}

/**
 * A causal Mega block's state held in fixed slots, as a decoder keeps it on the device between
 * steps: the EMA's h and a KV cache of the single head whose last `past[b]` slots hold the
 * positions before x (right-aligned, empty slots first). The call appends its keys and values
 * with `append`, so L and `past` may change from call to call while every shape stays fixed.
 */
export interface MegaBlockCache {
  /** The EMA's h `[B, D, N, 1]` after the cached positions (zeros: an empty prefix). */
  readonly ema: Node;
  /** The key slots `[B, 1, S, zDim]`. */
  readonly keys: Node;
  /** The value slots `[B, 1, S, hDim]`. */
  readonly values: Node;
  /** The positions already cached, `[B]` i32 (a run-time input). */
  readonly past: Node;
  /** The slots after writing `fresh` `[B, 1, L, ·]` into them (the caller's cache layout). */
  readonly append: (slots: Node, fresh: Node) => Node;
}

/** Options of {@link applyMegaBlock}: a causal block may continue from a state and return one. */
export interface MegaBlockStepOptions extends MegaBlockOptions {
  /** The state after the positions before x (requires `causal`). */
  readonly state?: MegaBlockState;
  /**
   * The state in fixed cache slots instead of `state` (requires `causal` and `maxPositions` ≥ S);
   * the returned state holds the updated slots. x may then have a symbolic L.
   */
  readonly cache?: MegaBlockCache;
  /** Also return the state after the last position (requires `causal`; implied by `state`). */
  readonly returnState?: boolean;
}

/** What {@link applyMegaBlock} builds. */
export interface AppliedMegaBlock {
  /** y `[B, L, D]`. */
  readonly output: Node;
  /** The state after the last position, when a state was given or asked for. */
  readonly state?: MegaBlockState;
}

/**
 * Mega's moving-average gated attention block (Ma et al. 2023, catalog paper 70; fairseq
 * `MovingAverageGatedAttention`) over x `[B, L, D]`, as graph ops around the EMA's linear-attention
 * op and one fused single-head attention kernel:
 *
 * x' = LayerNorm(x) (pre-norm); v = SiLU(x' W_v + b_v) `[B, L, hDim]`;
 * m = SiLU(EMA(x') + ω ⊙ x') ({@link megaEma}, bidirectional or not);
 * [u, z, r, ĥ] = m W_mx + b_mx, u = σ(u), (z, r) = SiLU; q = z ⊙ γ₀ + β₀, k = z ⊙ γ₁ + β₁;
 * softmax: A = softmax(q kᵀ/√zDim + b_rel); laplace / relu2: A = f(q kᵀ / n + b_rel) with n the
 * visible keys (L, or i + 1 under `causal`) and masked entries 0, no row normalization;
 * b_rel(i, j) = relPosBias[j − i + P − 1]; H = SiLU(ĥ + ((A v) ⊙ r) W_h + b_h);
 * y = x + u ⊙ (H − x) (post-norm: LayerNorm(y)). fairseq's attention chunking is `attentionChunk`
 * (then n counts the keys of the query's chunk); dropout is left out (inference); the normalized FFN
 * that follows in a Mega layer is not part of it.
 *
 * Parameters (x·W layout, `[in, out]`): `${name}.norm.gamma|beta` `[D]`, `${name}.v.weight`
 * `[D, hDim]` and `.bias`, the EMA's `${name}.ema.delta|alpha|beta|gamma` `[D or 2D, N]` and
 * `.omega` `[D]`, `${name}.mx.weight` `[D, 2D + zDim + hDim]` (columns u, z, r, ĥ, fairseq's
 * order) and `.bias`, `${name}.qk.gamma|beta` `[2, zDim]`, `${name}.relPosBias` `[2P − 1]`,
 * `${name}.h.weight` `[hDim, D]` and `.bias`.
 *
 * @example
 * ```ts
 * const y = megaBlock(input('x', [1, 32, 16]), { name: 'layers.0.mega', zDim: 8, hDim: 32, components: 4 });
 * ```
 * @throws ShapeError when x is not `[B, L, D]` with static sizes.
 * @throws SpecError on a non-integer width, `causal` with `bidirectional`, an unknown attention
 *   function, or a position table shorter than L. {@link applyMegaBlock} decodes the causal form.
 */
export function megaBlock(x: Node, options: MegaBlockOptions): Node {
  return applyMegaBlock(x, options).output;
}

/**
 * {@link megaBlock} with a state, for causal decoding: the EMA's h and the keys and values of the
 * positions before x (a KV cache of the single head). One call on the whole sequence with
 * `returnState`, then calls on one position with the state, compute the causal block over the
 * whole sequence; the EMA step does not grow with the past, the attention reads every cached key.
 *
 * @example
 * ```ts
 * const options = { name: 'mega', zDim: 8, hDim: 32, components: 4, causal: true, maxPositions: 64 };
 * const step = applyMegaBlock(input('x', [1, 1, 16]), {
 *   ...options,
 *   state: megaBlockStateInputs(1, 16, 10, options),
 * }); // step.state: the EMA's h and 11 keys and values
 * ```
 * @throws ShapeError when x is not `[B, L, D]` with static sizes, or a state tensor has the wrong shape.
 * @throws SpecError as {@link megaBlock}, and on a state without `causal`.
 */
export function applyMegaBlock(x: Node, options: MegaBlockStepOptions): AppliedMegaBlock {
  const { name, zDim, hDim, components } = options;
  const [batch, length, width] = checkBlock(x, options);
  const { state, cache } = options;
  const withState = state !== undefined || cache !== undefined || options.returnState === true;
  if (state !== undefined) checkState(state, [batch, width, zDim, hDim, components], name);
  if (cache !== undefined) checkCache(cache, [batch, width, zDim, hDim, components], options);
  // The keys the attention reads: the cache's slots, or the past and new positions.
  // (a symbolic L counts its largest binding).
  const keyCount =
    cache !== undefined
      ? (cache.keys.shape[2] as number)
      : (state === undefined ? 0 : (state.keys.shape[2] as number)) +
        (typeof length === 'number' ? length : length.max);
  // Under chunked attention, a query sees keys at most one chunk back.
  const span = Math.min(keyCount, options.attentionChunk ?? keyCount);
  const positions = options.maxPositions ?? span;
  if (!Number.isInteger(positions) || positions < span)
    throw new SpecError(`Mega block "${name}": maxPositions must be an integer >= the keys of the call`, {
      block: name,
      tensor: `${name}.relPosBias`,
      expected: `>= ${span}`,
      actual: positions,
    });

  const prenorm = options.prenorm !== false;
  const norm = (node: Node) => layerNorm(node, { name: `${name}.norm` });
  const linear = (node: Node, part: string, inWidth: number, outWidth: number) =>
    add(
      matmul(node, param(`${name}.${part}.weight`, [inWidth, outWidth])),
      param(`${name}.${part}.bias`, [outWidth]),
    );
  const columns = (node: Node, from: number, to: number) =>
    slice(node, [0, 0, from], [SLICE_END, SLICE_END, to]);

  const normed = prenorm ? norm(x) : x;
  const moved = megaEma(normed, {
    name: `${name}.ema`,
    components,
    ...(options.bidirectional === true ? { bidirectional: true } : {}),
    ...(options.chunkSize === undefined ? {} : { chunkSize: options.chunkSize }),
    ...(state === undefined ? {} : { state: state.ema }),
    ...(cache === undefined ? {} : { state: cache.ema }),
    ...(withState ? { returnState: true } : {}),
  });
  const base = linear(moved.output, 'mx', width, 2 * width + zDim + hDim);
  const update = sigmoid(columns(base, 0, width));
  const gates = silu(columns(base, width, width + zDim + hDim));
  const shared = columns(gates, 0, zDim);
  const reset = columns(gates, zDim, zDim + hDim);
  const candidate = columns(base, width + zDim + hDim, 2 * width + zDim + hDim);
  // q, k and v are built in the head layout [B, 1, L, ·] by elementwise ops (not reshaped after), so
  // the keys and values a state returns are computed tensors, not views.
  const heads = (node: Node, dim: number) => reshape(node, [batch, 1, length, dim]);
  const row = (part: 'gamma' | 'beta', index: number) =>
    reshape(slice(param(`${name}.qk.${part}`, [2, zDim]), [index], [index + 1]), [zDim]);
  const sharedHead = heads(shared, zDim);
  const query = add(mul(sharedHead, row('gamma', 0)), row('beta', 0));
  const newKeys = add(mul(sharedHead, row('gamma', 1)), row('beta', 1));
  const newValues = silu(heads(linear(normed, 'v', width, hDim), hDim));
  const joined = (slots: Node | undefined, fresh: Node): Node => {
    if (cache !== undefined) return cache.append(slots!, fresh);
    return slots === undefined ? fresh : concat([slots, fresh], 2);
  };
  const keys = joined(cache?.keys ?? state?.keys, newKeys);
  const values = joined(cache?.values ?? state?.values, newValues);

  const attended = megaAttention(
    { query, key: keys, value: values },
    {
      name,
      causal: options.causal === true,
      attentionFunction: options.attentionFunction ?? 'softmax',
      maxPositions: positions,
      ...(cache === undefined ? {} : { past: cache.past }),
      ...(options.attentionChunk === undefined ? {} : { chunk: options.attentionChunk }),
    },
  );
  const hidden = silu(
    add(candidate, linear(mul(reshape(attended, [batch, length, hDim]), reset), 'h', hDim, width)),
  );
  const out = add(x, mul(update, sub(hidden, x)));
  const output = prenorm ? out : norm(out);
  return withState ? { output, state: { ema: moved.state!, keys, values } } : { output };
}

/**
 * Graph inputs for a causal Mega block's state after `past` positions: `${prefix}.ema` `[B, D, N, 1]`,
 * `${prefix}.keys` `[B, 1, past, zDim]`, `${prefix}.values` `[B, 1, past, hDim]`.
 *
 * @example
 * ```ts
 * const state = megaBlockStateInputs(1, 16, 10, { name: 'mega', zDim: 8, hDim: 32, components: 4 });
 * ```
 */
export function megaBlockStateInputs(
  batch: number,
  width: number,
  past: number,
  options: Pick<MegaBlockOptions, 'name' | 'zDim' | 'hDim' | 'components'>,
): MegaBlockState {
  const { name, zDim, hDim, components } = options;
  return {
    ema: input(`${name}.ema`, [batch, width, components, 1]),
    keys: input(`${name}.keys`, [batch, 1, past, zDim]),
    values: input(`${name}.values`, [batch, 1, past, hDim]),
  };
}

function checkBlock(x: Node, options: MegaBlockStepOptions): [number, Dim, number] {
  const { name, zDim, hDim, components } = options;
  // L may be symbolic (a decoder's tokens per run), except under the bidirectional EMA.
  const staticAxes = options.bidirectional === true ? [0, 1, 2] : [0, 2];
  if (x.rank !== 3 || staticAxes.some((axis) => typeof x.shape[axis] !== 'number'))
    throw new ShapeError(`Mega block "${name}": x must be [B, L, D] with static sizes`, {
      block: name,
      tensor: 'x',
      expected: options.bidirectional === true ? '[B, L, D], all static' : '[B, L, D], B and D static',
      actual: `[${x.shape.join(', ')}]`,
    });
  const chunk = options.attentionChunk;
  for (const [key, value] of Object.entries({
    zDim,
    hDim,
    components,
    ...(chunk === undefined ? {} : { attentionChunk: chunk }),
  }))
    if (!Number.isInteger(value) || value < 1)
      throw new SpecError(`Mega block "${name}": ${key} must be an integer >= 1`, {
        block: name,
        expected: 'an integer >= 1',
        actual: value,
      });
  const isCausal = options.causal === true;
  if (isCausal && options.bidirectional === true)
    throw new SpecError(`Mega block "${name}": a causal block cannot use the bidirectional EMA`, {
      block: name,
      expected: 'causal or bidirectional, not both',
      actual: 'both',
    });
  if (!isCausal && (options.state !== undefined || options.returnState === true))
    throw new SpecError(`Mega block "${name}": only a causal block carries a state`, {
      block: name,
      expected: 'causal: true with state or returnState',
      actual: 'causal: false',
    });
  if (!isCausal && options.cache !== undefined)
    throw new SpecError(`Mega block "${name}": only a causal block carries a cache`, {
      block: name,
      expected: 'causal: true with cache',
      actual: 'causal: false',
    });
  const fn = options.attentionFunction ?? 'softmax';
  if (fn !== 'softmax' && fn !== 'laplace' && fn !== 'relu2')
    throw new SpecError(`Mega block "${name}": unknown attention function`, {
      block: name,
      expected: "'softmax' | 'laplace' | 'relu2'",
      actual: String(fn),
    });
  if (options.state !== undefined && options.cache !== undefined)
    throw new SpecError(`Mega block "${name}": give the state or the cache, not both`, {
      block: name,
      expected: 'state or cache',
      actual: 'both',
    });
  return x.shape as [number, Dim, number];
}

function checkCache(cache: MegaBlockCache, sizes: readonly number[], options: MegaBlockStepOptions): void {
  const { name } = options;
  const slots = cache.keys.shape[2];
  checkState(cache, sizes, name);
  const past = cache.past.shape;
  if (past.length !== 1 || past[0] !== sizes[0] || cache.past.dtype !== 'i32')
    throw new ShapeError(`Mega block "${name}": the cache's past must be [B] i32`, {
      block: name,
      tensor: `${name}.past`,
      expected: `[${sizes[0]}] i32`,
      actual: `[${past.join(', ')}] ${cache.past.dtype}`,
    });
  const span = Math.min(slots as number, options.attentionChunk ?? (slots as number));
  if (options.maxPositions === undefined || options.maxPositions < span)
    throw new SpecError(
      `Mega block "${name}": a cached block needs maxPositions >= its slots (or its chunk)`,
      {
        block: name,
        tensor: `${name}.relPosBias`,
        expected: `>= ${span}`,
        actual: options.maxPositions ?? 'none',
      },
    );
}

function checkState(state: MegaBlockState, sizes: readonly number[], name: string): void {
  const [batch, width, zDim, hDim, components] = sizes as [number, number, number, number, number];
  const past = state.keys.shape[2];
  const expected: Record<keyof MegaBlockState, readonly unknown[]> = {
    ema: [batch, width, components, 1],
    keys: [batch, 1, past, zDim],
    values: [batch, 1, past, hDim],
  };
  for (const key of ['ema', 'keys', 'values'] as const) {
    const shape = state[key].shape;
    if (
      typeof past !== 'number' ||
      shape.length !== 4 ||
      shape.some((size, axis) => size !== expected[key][axis])
    )
      throw new ShapeError(`Mega block "${name}": the state's ${key} has the wrong shape`, {
        block: name,
        tensor: `${name}.${key}`,
        expected: `[${expected[key].join(', ')}] with a static past`,
        actual: `[${shape.join(', ')}]`,
      });
  }
}
