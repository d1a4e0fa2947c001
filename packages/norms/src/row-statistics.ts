import { add, div, maximum, mean, mul, type Node, rsqrt, sqrt, sub, sum } from '@weft/ir';

/**
 * Mean and population variance of `x` over `axes` (kept as size 1 so they broadcast back).
 * The variance is the mean of squared deviations from the mean (two passes), never
 * `E[x²] − μ²`, which cancels catastrophically when |μ| ≫ σ.
 */
export function moments(x: Node, axes: readonly number[]): { mean: Node; variance: Node } {
  const average = mean(x, axes, { keepDims: true });
  const deviation = sub(x, average);
  return { mean: average, variance: mean(mul(deviation, deviation), axes, { keepDims: true }) };
}

/** `(x − μ) / √(σ² + ε)` over `axes`: the statistics step shared by LayerNorm, InstanceNorm and GroupNorm. */
export function standardize(x: Node, axes: readonly number[], eps: number): Node {
  const { mean: average, variance } = moments(x, axes);
  return mul(sub(x, average), rsqrt(add(variance, eps)));
}

/** Euclidean norm `‖x‖₂ = √Σx²` over `axes`, kept as size 1. */
export function euclideanNorm(x: Node, axes: readonly number[]): Node {
  return sqrt(sum(mul(x, x), axes, { keepDims: true }));
}

/** Mean of squares `mean(x²)` over `axes`, kept as size 1 (callers place ε inside or outside the root). */
export function meanSquare(x: Node, axes: readonly number[]): Node {
  return mean(mul(x, x), axes, { keepDims: true });
}

/**
 * `x / max(‖x‖₂, ε)` over `axes` (PyTorch's `F.normalize`): exactly `x / ‖x‖₂` for every row whose
 * norm is at least ε, and no division by zero for an all-zero row. `ε = 0` leaves the bare division.
 */
export function unitNormalize(x: Node, axes: readonly number[], eps: number): Node {
  const norm = euclideanNorm(x, axes);
  return div(x, eps > 0 ? maximum(norm, eps) : norm);
}
