import { gather, mul, type Node, param } from '@weft/ir';
import { expectFloatTensor, expectNonNegative, resolveAxes, staticDim } from './norm-checks.js';
import { unitNormalize } from './row-statistics.js';

/** Options of {@link fixNorm}. */
export interface FixNormOptions {
  /** Length every row is scaled to. Default `√d` (d = size of the last axis). */
  readonly scale?: number;
  /** Lower bound on the norm. Default `1e-12` (`F.normalize`). */
  readonly eps?: number;
  /** Layer name used in errors. Default `'fixNorm'`. */
  readonly name?: string;
}

/**
 * FixNorm (Nguyen & Salazar 2019, catalog paper 28): every row is ℓ₂-normalized and rescaled to a
 * fixed length, `y = s · x / max(‖x‖₂, ε)` over the last axis, `s = √d` by default (the embedding
 * scale of tnq177/transformers_without_tears). No learned parameters.
 *
 * Shapes: `x` is `[...batch, d]`; the output has `x`'s shape.
 *
 * @example
 * ```ts
 * const y = fixNorm(input('embedded', [16, 512])); // every row has norm √512
 * ```
 */
export function fixNorm(x: Node, options: FixNormOptions = {}): Node {
  const name = options.name ?? 'fixNorm';
  const eps = options.eps ?? 1e-12;
  expectFloatTensor(name, 'x', x);
  expectNonNegative(name, 'eps', eps);
  const axes = resolveAxes(name, 'x', x, -1);
  const scale = options.scale ?? Math.sqrt(staticDim(name, 'x', x.shape[x.rank - 1]!, x.rank - 1));
  expectNonNegative(name, 'scale', scale);
  return mul(unitNormalize(x, axes, eps), scale);
}

/** Options of {@link fixNormEmbedding}. */
export interface FixNormEmbeddingOptions extends FixNormOptions {
  /** Number of rows of the table. */
  readonly vocabulary: number;
  /** Width of each row, `d`. */
  readonly dimension: number;
}

/**
 * FixNorm applied where the paper applies it: rows of an embedding table (`${name}.weight`,
 * `[vocabulary, d]`) are gathered at `tokens` and normalized at use time, so the stored table is
 * never rewritten.
 *
 * Shapes: `tokens` is `[...]` (i32); the output is `[..., d]`.
 *
 * @example
 * ```ts
 * const embedded = fixNormEmbedding(input('tokens', [4, 128], 'i32'), { vocabulary: 32000, dimension: 512, name: 'embed' });
 * ```
 */
export function fixNormEmbedding(tokens: Node, options: FixNormEmbeddingOptions): Node {
  const name = options.name ?? 'fixNorm';
  const table = param(`${name}.weight`, [options.vocabulary, options.dimension]);
  return fixNorm(gather(table, tokens, 0), { ...options, name });
}
