import {
  abs,
  add,
  div,
  greater,
  max,
  maximum,
  mean,
  mul,
  type Node,
  rsqrt,
  sqrt,
  sub,
  sum,
  where,
} from '@weft/ir';

/**
 * Mean and population variance of `x` over `axes` (kept as size 1 so they broadcast back).
 * The variance is the mean of squared deviations from the mean (two passes), never
 * `E[x²] − μ²`, which cancels catastrophically when |μ| ≫ σ. The mean is corrected once:
 * μ = μ₀ + mean(x − μ₀). Where |μ| ≫ σ the f32 sum behind μ₀ is off by many ulps of μ (3% of
 * σ for 1e6 ± 0.1), while x − μ₀ is exact (Sterbenz) and its mean small and accurate.
 */
export function moments(x: Node, axes: readonly number[]): { mean: Node; variance: Node } {
  const { mean: average, deviation } = deviations(x, axes);
  return { mean: average, variance: mean(mul(deviation, deviation), axes, { keepDims: true }) };
}

/** The corrected mean of {@link moments} and the deviations x − μ. */
function deviations(x: Node, axes: readonly number[]): { mean: Node; deviation: Node } {
  const first = mean(x, axes, { keepDims: true });
  const shifted = sub(x, first);
  const correction = mean(shifted, axes, { keepDims: true });
  return { mean: add(first, correction), deviation: sub(shifted, correction) };
}

/**
 * `(x − μ) / √(σ² + ε)` over `axes`: the statistics step shared by LayerNorm, InstanceNorm and
 * GroupNorm. μ corrected once (μ₀ + mean(x − μ₀)); σ² without overflow (see {@link scaledInverseRoot}).
 */
export function standardize(x: Node, axes: readonly number[], eps: number): Node {
  return scaledInverseRoot(deviations(x, axes).deviation, axes, eps);
}

/**
 * `d / √(mean(d²) + ε)` over `axes` without overflow of d² in f32 (rows near 1e20 would give
 * ∞ and then 0): with s = max|d|, rows with s > 1 compute (d/s) / √(mean((d/s)²) + ε/s²), the
 * others the plain form (no overflow there, and ε/s² could overflow). Same value in float64.
 */
export function scaledInverseRoot(d: Node, axes: readonly number[], eps: number): Node {
  const scale = max(abs(d), axes, { keepDims: true });
  const large = greater(scale, 1);
  const safeScale = where(large, scale, 1);
  const scaled = div(d, safeScale);
  const floor = where(large, div(div(eps, safeScale), safeScale), eps);
  return mul(scaled, rsqrt(add(mean(mul(scaled, scaled), axes, { keepDims: true }), floor)));
}

/**
 * Euclidean norm `‖x‖₂ = √Σx²` over `axes`, kept as size 1, as s·√Σ(x/s)² with s = max|x| (no
 * overflow of x² in f32 for rows near 1e20, no underflow for rows near 1e-25).
 */
export function euclideanNorm(x: Node, axes: readonly number[]): Node {
  return scaledRoot(x, axes, sum);
}

/** `√mean(x²)` over `axes`, kept as size 1, as s·√mean((x/s)²) with s = max|x| (no overflow of x²). */
export function rootMeanSquare(x: Node, axes: readonly number[]): Node {
  return scaledRoot(x, axes, mean);
}

function scaledRoot(x: Node, axes: readonly number[], reduce: typeof sum): Node {
  const scale = max(abs(x), axes, { keepDims: true });
  const safeScale = where(greater(scale, 0), scale, 1);
  const scaled = div(x, safeScale);
  return mul(safeScale, sqrt(reduce(mul(scaled, scaled), axes, { keepDims: true })));
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
