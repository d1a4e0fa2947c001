import { constant, type Expr, SpecError, type TensorRef } from '@weft/ir';
import { ATTENTION_INDICES as I } from './attention-variables.js';
import { checkNumber, checkOptions, checkTensorRef, genuinePart, I32_MAX } from './validate.js';

/** Rotary embedding settings, resolved against the head dim. */
export interface RopeSettings {
  /** Frequency base θ (10 000 in RoFormer and Llama). */
  readonly base: number;
  /** Fraction of the head dim that rotates (1 = all; GPT-NeoX / Phi use partial rotary). */
  readonly fraction: number;
  /** Pairing of rotated dims: `half` pairs i with i + r/2 (GPT-NeoX, Llama HF); `interleaved` pairs 2i with 2i + 1 (RoFormer, GPT-J). */
  readonly layout: 'half' | 'interleaved';
  /** Position axes: 1 (a sequence) or 2 (an image grid, rows × columns). */
  readonly dims: 1 | 2;
  /** The `[height, width]` token grid of 2-D RoPE (row-major tokens; null for 1-D). */
  readonly grid: readonly [number, number] | null;
}

/**
 * How positions enter attention. RoPE rotates queries and keys (query position q + Nk − Nq: the
 * queries are the last Nq positions of the key sequence, as when decoding with a KV cache; key
 * position k). ALiBi adds −slope_h·|p − k| to the score. NoPE does nothing.
 */
export type Position =
  | { readonly kind: 'position'; readonly name: 'rope'; readonly rope: RopeSettings }
  | {
      readonly kind: 'position';
      readonly name: 'alibi';
      readonly slopes: TensorRef | undefined;
      /** The bias form (see {@link AlibiOptions.form}). */
      readonly form: AlibiForm;
    }
  | { readonly kind: 'position'; readonly name: 'nope' };

/** Options of {@link rope}. */
export interface RopeOptions {
  /** Frequency base θ (default 10 000). */
  readonly base?: number;
  /** Fraction of the head dim that rotates (default 1). */
  readonly fraction?: number;
  /** Pairing of rotated dims (default `half`). */
  readonly layout?: 'half' | 'interleaved';
  /** 1 (default) or 2 (axial 2-D RoPE for images; needs `grid`). */
  readonly dims?: 1 | 2;
  /** `[height, width]` of the token grid (2-D only); the key length must be height·width. */
  readonly grid?: readonly [number, number];
}

/**
 * Rotary position embedding (Su et al., RoFormer). Defaults: base 10 000, fraction 1, `half` layout.
 *
 * 1-D: token p rotates pair i of the r rotary dims by p·θ^(−2i/r).
 *
 * 2-D (`dims: 2`, axial RoPE for images): token p sits at row ⌊p/W⌋, column p mod W of the
 * `[H, W]` grid. The r rotary dims (r a multiple of 4) split in two halves: dims [0, r/2) rotate
 * by the row, dims [r/2, r) by the column, each half as a 1-D RoPE of r/2 dims in the chosen
 * layout, so pair i of a half turns by pos·θ^(−2i/(r/2)). (NViST, catalog paper 5, uses no
 * rotary positions; this is the axial layout of EVA-02 and FLUX.)
 *
 * @example
 * ```ts
 * attention({ heads: 8, headDim: 64, positions: rope({ base: 500_000, fraction: 0.5 }) });
 * attention({ heads: 8, headDim: 64, positions: rope({ dims: 2, grid: [14, 18] }) });
 * ```
 */
export function rope(options: RopeOptions = {}): Position {
  checkOptions('rope', options, ['base', 'fraction', 'layout', 'dims', 'grid']);
  if (options.fraction !== undefined)
    checkNumber('rope', 'option "fraction"', options.fraction, { above: 0, max: 1 });
  const dims = options.dims ?? 1;
  if (dims !== 1 && dims !== 2) throw new SpecError('rope: dims must be 1 or 2', { actual: dims });
  const grid = options.grid;
  if (dims === 2) {
    if (
      !Array.isArray(grid) ||
      grid.length !== 2 ||
      !grid.every((size) => Number.isInteger(size) && size >= 1 && size <= I32_MAX)
    )
      throw new SpecError('rope: 2-D RoPE needs grid: [height, width] of positive integers', {
        expected: '[height, width]',
        actual: grid,
      });
  } else if (grid !== undefined) {
    throw new SpecError('rope: a grid exists for dims: 2 only', { expected: 'dims: 2', actual: dims });
  }
  const settings: RopeSettings = {
    base: options.base ?? 10_000,
    fraction: options.fraction ?? 1,
    layout: options.layout ?? 'half',
    dims,
    grid: dims === 2 ? (Object.freeze([grid![0], grid![1]]) as readonly [number, number]) : null,
  };
  if (!(settings.base > 1) || !Number.isFinite(settings.base))
    throw new SpecError('rope: base must be a finite number > 1', { actual: settings.base });
  if (!(settings.fraction > 0 && settings.fraction <= 1))
    throw new SpecError('rope: fraction must lie in (0, 1]', { actual: settings.fraction });
  if (settings.layout !== 'half' && settings.layout !== 'interleaved') {
    throw new SpecError('rope: unknown layout', {
      expected: "'half' | 'interleaved'",
      actual: settings.layout,
    });
  }
  return genuinePart(Object.freeze({ kind: 'position', name: 'rope', rope: Object.freeze(settings) }));
}

/**
 * The ALiBi bias form: `symmetric` −m·|p − k| (every key, before or after the query, is penalized
 * by its distance), `causal` m·(k − p), the form of the original ALiBi code (equal to the symmetric
 * one for keys k ≤ p, so identical under a causal mask; keys after the query get a positive bias).
 */
export type AlibiForm = 'symmetric' | 'causal';

/** Options of {@link alibi}. */
export interface AlibiOptions {
  /** A `[heads]` slope tensor (default: the standard geometric slopes). */
  readonly slopes?: TensorRef;
  /** The bias form: `symmetric` −m·|p − k| (default) or `causal` m·(k − p) (the original ALiBi code). */
  readonly form?: AlibiForm;
}

/**
 * ALiBi (Press et al.): adds −slope_h·|p − k| to every score (`form: 'symmetric'`, the default), or
 * slope_h·(k − p) (`form: 'causal'`, as the original ALiBi code; the same under a causal mask),
 * with the standard geometric slopes 2^(−8(h+1)/H) (interpolated as in the reference code when H
 * is not a power of two), or the given `[heads]` slope tensor.
 *
 * @example
 * ```ts
 * attention({ heads: 8, headDim: 64, mask: causal(), positions: alibi() });
 * ```
 */
export function alibi(options: AlibiOptions = {}): Position {
  checkOptions('alibi', options, ['slopes', 'form']);
  if (options.slopes !== undefined) checkTensorRef('alibi', 'option "slopes"', options.slopes);
  const form = options.form ?? 'symmetric';
  if (form !== 'symmetric' && form !== 'causal')
    throw new SpecError('alibi: unknown form', { expected: "'symmetric' | 'causal'", actual: form });
  return genuinePart(Object.freeze({ kind: 'position', name: 'alibi', slopes: options.slopes, form }));
}

/**
 * No positional encoding (NoPE).
 *
 * @example
 * ```ts
 * attention({ heads: 8, headDim: 64, mask: causal(), positions: nope() }); // no positional signal
 * ```
 */
export function nope(): Position {
  return NOPE;
}

const NOPE: Position = genuinePart(Object.freeze({ kind: 'position', name: 'nope' }));

/** The number of rotated dims of a head of `headDim` under `settings` (a multiple of 2 per axis, at least one pair per axis). */
export function rotaryDims(settings: RopeSettings, headDim: number): number {
  const unit = 2 * settings.dims;
  const dims = Math.floor((settings.fraction * headDim) / unit) * unit;
  if (dims < unit)
    throw new SpecError('rope: the rotary fraction leaves no dim pair to rotate', {
      expected: `>= ${unit} rotated dims`,
      actual: dims,
    });
  return dims;
}

/** The ALiBi bias Expr for `heads` query heads: −slope_h · |p − k| (or slope_h · (k − p), `causal` form) with p = q + Nk − Nq. */
export function alibiBias(position: Extract<Position, { name: 'alibi' }>, heads: number): Expr {
  const slope = position.slopes === undefined ? standardSlope(heads) : position.slopes.at(I.h);
  const offset = I.q.add(I.keyLength.sub(I.queryLength)).sub(I.k);
  if (position.form === 'causal') return slope.mul(offset.cast('f32')).neg();
  return slope.mul(offset.apply('abs').cast('f32')).neg();
}

/** The standard ALiBi slope of head `h` as an Expr (Press et al.'s `get_slopes`). */
function standardSlope(heads: number): Expr {
  const power = 2 ** Math.floor(Math.log2(heads));
  const h = I.h.cast('f32');
  const base = constant(2).pow(h.add(1).mul(-8 / power));
  if (power === heads) return base;
  // Extra heads take every other slope of the 2·power schedule.
  const extra = constant(2).pow(
    h
      .sub(power)
      .mul(2)
      .add(1)
      .mul(-8 / (2 * power)),
  );
  return I.h.lt(constant(power, 'i32')).select(base, extra);
}
