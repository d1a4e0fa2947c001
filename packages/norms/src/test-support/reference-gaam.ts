/**
 * GAAM in float64 as the reference code computes it, in linear space: per chunk of `size / heads`
 * elements along `axis`, μ and the unbiased σ² + ε, w = Π_g exp(−z_g²/(2c_g²)) / √(2π c_g²),
 * y = x · w / max(Σ w, ε). `offsets` and `scales` are `[heads, gaussians]` row-major.
 */
export function referenceGaam(
  x: ArrayLike<number>,
  shape: readonly number[],
  axis: number,
  heads: number,
  offsets: ArrayLike<number>,
  scales: ArrayLike<number>,
  eps: number,
): Float64Array {
  const rank = shape.length;
  const normalizedAxis = axis < 0 ? axis + rank : axis;
  const size = shape[normalizedAxis]!;
  const inner = shape.slice(normalizedAxis + 1).reduce((a, b) => a * b, 1);
  const outer = shape.slice(0, normalizedAxis).reduce((a, b) => a * b, 1);
  const chunk = size / heads;
  const gaussians = offsets.length / heads;
  const y = new Float64Array(x.length);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++)
      for (let head = 0; head < heads; head++) {
        const at = (c: number) => (o * size + head * chunk + c) * inner + i;
        const values = Array.from({ length: chunk }, (_, c) => Number(x[at(c)]));
        const mu = values.reduce((a, b) => a + b, 0) / chunk;
        const variance = values.reduce((a, b) => a + (b - mu) ** 2, 0) / (chunk - 1) + eps;
        const weights = values.map((value) => {
          let product = 1;
          for (let g = 0; g < gaussians; g++) {
            const c = Number(scales[head * gaussians + g]);
            const z = (value - (mu + Number(offsets[head * gaussians + g]))) / Math.sqrt(variance);
            product *= Math.exp(-(z * z) / (2 * c * c)) / Math.sqrt(2 * Math.PI * c * c);
          }
          return product;
        });
        const total = Math.max(
          weights.reduce((a, b) => a + b, 0),
          eps,
        );
        values.forEach((value, c) => {
          y[at(c)] = (value * weights[c]!) / total;
        });
      }
  return y;
}
