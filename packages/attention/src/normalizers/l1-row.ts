import type { L1Attrs } from './l1.js';

/**
 * Weights of one row under an l1 normalizer, in float64: f(c·s)/Σ f(c·s) with c = log_b N (N the
 * kept keys of the row) when a length base is set, then LSSAR's re-weighting g renormalized. A
 * row whose sum is ≤ 0 gives zeros.
 */
export function l1Row(normalizer: L1Attrs, scores: readonly number[]): number[] {
  const count = scores.length;
  const scale = normalizer.lengthBase === undefined ? 1 : Math.log(count) / Math.log(normalizer.lengthBase);
  const weights = divideBySum(scores.map((s) => l1Map(normalizer.map, scale * s)));
  const reweight = normalizer.reweight;
  if (reweight === undefined) return weights;
  return divideBySum(
    weights.map((a) =>
      reweight.form === 'power' ? a ** reweight.power : Math.max(count * a - 1, 0) ** reweight.power,
    ),
  );
}

/** The map f of an l1 normalizer at `x`. */
export function l1Map(map: L1Attrs['map'], x: number): number {
  switch (map) {
    case 'relu':
      return Math.max(x, 0);
    case 'softplus':
      return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    case 'polynomial1':
      return 1 + x;
    case 'polynomial2':
      return 1 + x + (x * x) / 2;
  }
}

function divideBySum(values: readonly number[]): number[] {
  const total = values.reduce((sum, x) => sum + x, 0);
  return values.map((x) => (total > 0 ? x / total : 0));
}
