import type { NormalizerAttrs } from './attention-attrs.js';

/**
 * Applies the output norm of an `identity` normalizer to `data[offset .. offset + dim)` in place
 * (float64): `rms` x/√(mean(x²) + ε), `layer` (x − μ)/√(var(x) + ε). A zero denominator (a zero
 * row with ε = 0) gives 0. Other normalizers leave the row as it is.
 */
export function normalizeOutputRow(
  normalizer: NormalizerAttrs,
  data: Float64Array,
  offset: number,
  dim: number,
): void {
  if (normalizer.name !== 'identity' || normalizer.outputNorm === 'none') return;
  let mean = 0;
  if (normalizer.outputNorm === 'layer') {
    for (let d = 0; d < dim; d++) mean += data[offset + d]!;
    mean /= dim;
  }
  let squares = 0;
  for (let d = 0; d < dim; d++) squares += (data[offset + d]! - mean) ** 2;
  const denominator = squares / dim + normalizer.epsilon;
  const inverse = denominator > 0 ? 1 / Math.sqrt(denominator) : 0;
  for (let d = 0; d < dim; d++) data[offset + d] = (data[offset + d]! - mean) * inverse;
}
