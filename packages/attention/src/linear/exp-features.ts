import { div, exp, max, mul, SpecError, sub, sum } from '@weft/ir';
import { expectRows, type FeatureExpansion } from './feature-expansions.js';

/** Options of {@link expFeatures}. */
export interface ExpFeatureOptions {
  /**
   * The max subtracted from key rows: `row` (each key's own, as for queries) or `sequence` (the
   * max over every key and feature of the call, per batch and head: ReGLA's φ_k).
   */
  readonly keyMax?: 'row' | 'sequence';
  /** Divide each row by its sum: the softmax over features (default false). */
  readonly softmax?: boolean;
  /** A constant c multiplying the query features (ReGLA's variance-reduction scale; default 1). */
  readonly queryScale?: number;
}

/**
 * Exponential feature maps with max subtraction: φ(x) = exp(x − max_j x_j) for each query row
 * (and key row with `keyMax: 'row'`), or exp(x − max over the keys and features of the call)
 * (`keyMax: 'sequence'`, ReGLA's φ_k, catalog paper 22); with `softmax: true` each row is also
 * divided by its sum, φ(x) = softmax(x) over the features. The max cancels in φ(q)·φ(k) up to a
 * per-row (or per-call) constant: with the denominator it cancels, without it an output norm
 * follows (ReGLA's LayerNorm).
 *
 * @example
 * ```ts
 * const spec = linearAttention({ heads: 4, headDim: 16, featureMap: identity(), featureExpansion: expFeatures({ softmax: true }), causal: true });
 * ```
 * @throws SpecError when `queryScale` is not a positive finite number.
 */
export function expFeatures(options: ExpFeatureOptions = {}): FeatureExpansion {
  const keyMax = options.keyMax ?? 'row';
  const softmax = options.softmax ?? false;
  const queryScale = options.queryScale ?? 1;
  if (!(Number.isFinite(queryScale) && queryScale > 0))
    throw new SpecError('expFeatures: queryScale must be a finite number > 0', {
      dimension: 'queryScale',
      expected: '> 0',
      actual: queryScale,
    });
  if (keyMax !== 'row' && keyMax !== 'sequence')
    throw new SpecError('expFeatures: keyMax must be "row" or "sequence"', {
      dimension: 'keyMax',
      expected: 'row, sequence',
      actual: String(keyMax),
    });
  return {
    name: `${softmax ? 'softmax' : 'exp'}(key max ${keyMax})`,
    featureDim: (d) => d,
    expand(query, key, block) {
      expectRows(query, block, 'query', 'exponential');
      expectRows(key, block, 'key', 'exponential');
      const rowMax = (x: typeof query) => max(x, -1, { keepDims: true });
      const normalized = (features: typeof query) =>
        softmax ? div(features, sum(features, -1, { keepDims: true })) : features;
      const keyShift = keyMax === 'row' ? rowMax(key) : max(rowMax(key), 2, { keepDims: true });
      const queries = normalized(exp(sub(query, rowMax(query))));
      return {
        query: queryScale === 1 ? queries : mul(queries, queryScale),
        key: normalized(exp(sub(key, keyShift))),
      };
    },
  };
}

/** ReGLA's variance-reduction scale c = 1/(e·√(d(e² − 1))) for head dim d (catalog paper 22). */
export function reglaScale(headDim: number): number {
  return 1 / (Math.E * Math.sqrt(headDim * (Math.E ** 2 - 1)));
}
