import { constant, type Expr, SpecError, type TensorRef } from '@weft/ir';
import { ATTENTION_INDICES as I } from './attention-variables.js';

/** Rotary embedding settings, resolved against the head dim. */
export interface RopeSettings {
  /** Frequency base θ (10 000 in RoFormer and Llama). */
  readonly base: number;
  /** Fraction of the head dim that rotates (1 = all; GPT-NeoX / Phi use partial rotary). */
  readonly fraction: number;
  /** Pairing of rotated dims: `half` pairs i with i + r/2 (GPT-NeoX, Llama HF); `interleaved` pairs 2i with 2i + 1 (RoFormer, GPT-J). */
  readonly layout: 'half' | 'interleaved';
}

/**
 * How positions enter attention. RoPE rotates queries and keys (query position q + Nk − Nq: the
 * queries are the last Nq positions of the key sequence, as when decoding with a KV cache; key
 * position k). ALiBi adds −slope_h·|p − k| to the score. NoPE does nothing.
 */
export type Position =
  | { readonly kind: 'position'; readonly name: 'rope'; readonly rope: RopeSettings }
  | { readonly kind: 'position'; readonly name: 'alibi'; readonly slopes: TensorRef | undefined }
  | { readonly kind: 'position'; readonly name: 'nope' };

/**
 * Rotary position embedding (Su et al., RoFormer). Defaults: base 10 000, fraction 1, `half` layout.
 *
 * @example
 * ```ts
 * attention({ heads: 8, headDim: 64, positions: rope({ base: 500_000, fraction: 0.5 }) });
 * ```
 */
export function rope(options: Partial<RopeSettings> = {}): Position {
  const settings: RopeSettings = {
    base: options.base ?? 10_000,
    fraction: options.fraction ?? 1,
    layout: options.layout ?? 'half',
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
  return Object.freeze({ kind: 'position', name: 'rope', rope: Object.freeze(settings) });
}

/**
 * ALiBi (Press et al.): adds −slope_h·|p − k| to every score, with the standard geometric slopes
 * 2^(−8(h+1)/H) (interpolated as in the reference code when H is not a power of two), or the
 * given `[heads]` slope tensor.
 */
export function alibi(options: { slopes?: TensorRef } = {}): Position {
  return Object.freeze({ kind: 'position', name: 'alibi', slopes: options.slopes });
}

/** No positional encoding (NoPE). */
export function nope(): Position {
  return Object.freeze({ kind: 'position', name: 'nope' });
}

/** The number of rotated dims of a head of `headDim` under `settings` (even, at least 2). */
export function rotaryDims(settings: RopeSettings, headDim: number): number {
  const dims = Math.floor((settings.fraction * headDim) / 2) * 2;
  if (dims < 2)
    throw new SpecError('rope: the rotary fraction leaves no dim pair to rotate', {
      expected: '>= 2 rotated dims',
      actual: dims,
    });
  return dims;
}

/** The ALiBi bias Expr for `heads` query heads: −slope_h · |p − k| with p = q + Nk − Nq. */
export function alibiBias(position: Extract<Position, { name: 'alibi' }>, heads: number): Expr {
  const slope = position.slopes === undefined ? standardSlope(heads) : position.slopes.at(I.h);
  const distance = I.q.add(I.keyLength.sub(I.queryLength)).sub(I.k).apply('abs').cast('f32');
  return slope.mul(distance).neg();
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
