/**
 * SOFT's Nyström attention in float64, written from the reference code independently of the IR:
 * landmarks by a strided s×s conv of Q̂ = Q/d^(1/4) over the token grid, LayerNorm (ε 1e-5) and
 * exact GELU; A = G(Q̂, Q̃), B = G(Q̃, Q̃); out = A (B + λI)⁻¹ (Aᵀ V) with a Gauss–Jordan inverse,
 * plus (when `valueConv` = k > 0) each head's V grid convolved with its k×k filter
 * `soft.valueConv.weight` `[heads, 1, k, k]`, zero-padded, as direct sums over the grid neighbours.
 * Layout `[1, heads, N, d]`; returns the output and the inverses, `[heads, m, m]`.
 */
export function denseSoftNystrom(
  values: Readonly<Record<string, ArrayLike<number>>>,
  sizes: {
    heads: number;
    grid: readonly [number, number];
    dim: number;
    ratio: number;
    regularization: number;
    /** Kernel size of the depthwise convolution of V (0 or absent: none). */
    valueConv?: number;
  },
): { output: Float64Array; inverse: Float64Array } {
  const { heads, grid, dim, ratio, regularization } = sizes;
  const [height, width] = grid;
  const tokens = height * width;
  const landmarksHigh = height / ratio;
  const landmarksWide = width / ratio;
  const m = landmarksHigh * landmarksWide;
  const weight = values['soft.landmarkConv.weight']!;
  const gamma = values['soft.landmarkNorm.gamma']!;
  const beta = values['soft.landmarkNorm.beta']!;
  const output = new Float64Array(heads * tokens * dim);
  const inverses = new Float64Array(heads * m * m);
  for (let h = 0; h < heads; h++) {
    const q = (n: number) =>
      Array.from({ length: dim }, (_, c) => Number(values.q![(h * tokens + n) * dim + c]) / dim ** 0.25);
    const v = (n: number) =>
      Array.from({ length: dim }, (_, c) => Number(values.v![(h * tokens + n) * dim + c]));
    const landmarks = Array.from({ length: m }, (_, l) => {
      const row = Math.floor(l / landmarksWide);
      const column = l % landmarksWide;
      const pooled = Array.from({ length: dim }, (_, out) => {
        let total = 0;
        for (let c = 0; c < dim; c++)
          for (let y = 0; y < ratio; y++)
            for (let x = 0; x < ratio; x++) {
              const token = (row * ratio + y) * width + column * ratio + x;
              total += Number(weight[((out * dim + c) * ratio + y) * ratio + x]) * q(token)[c]!;
            }
        return total;
      });
      const mu = pooled.reduce((a, b) => a + b, 0) / dim;
      const variance = pooled.reduce((a, b) => a + (b - mu) ** 2, 0) / dim;
      return pooled.map((p, c) => {
        const normalized = ((p - mu) / Math.sqrt(variance + 1e-5)) * Number(gamma[c]) + Number(beta[c]);
        return 0.5 * normalized * (1 + erf(normalized / Math.SQRT2));
      });
    });
    const kernel = (a: readonly number[], b: readonly number[]) =>
      Math.exp(-0.5 * a.reduce((total, x, c) => total + (x - b[c]!) ** 2, 0));
    const a = Array.from({ length: tokens }, (_, n) => landmarks.map((l) => kernel(q(n), l)));
    const regularized = landmarks.map((li, i) =>
      landmarks.map((lj, j) => kernel(li, lj) + (i === j ? regularization : 0)),
    );
    const inverse = invert(regularized);
    for (const [i, row] of inverse.entries()) inverses.set(row, (h * m + i) * m);
    // (Aᵀ V) [m, dim], then A · inverse · (Aᵀ V).
    const landmarkValues = Array.from({ length: m }, (_, l) =>
      Array.from({ length: dim }, (_, c) => a.reduce((total, row, n) => total + row[l]! * v(n)[c]!, 0)),
    );
    for (let n = 0; n < tokens; n++) {
      const weights = Array.from({ length: m }, (_, j) =>
        a[n]!.reduce((t, x, i) => t + x * inverse[i]![j]!, 0),
      );
      for (let c = 0; c < dim; c++)
        output[(h * tokens + n) * dim + c] = weights.reduce((t, w, l) => t + w * landmarkValues[l]![c]!, 0);
    }
    const size = sizes.valueConv ?? 0;
    const filter = values['soft.valueConv.weight'];
    for (let n = 0; size > 0 && n < tokens; n++) {
      const [y, x] = [Math.floor(n / width), n % width];
      for (let dy = 0; dy < size; dy++)
        for (let dx = 0; dx < size; dx++) {
          const [sourceY, sourceX] = [y + dy - (size - 1) / 2, x + dx - (size - 1) / 2];
          if (sourceY < 0 || sourceY >= height || sourceX < 0 || sourceX >= width) continue;
          const tap = Number(filter![(h * size + dy) * size + dx]);
          const source = v(sourceY * width + sourceX);
          for (let c = 0; c < dim; c++) output[(h * tokens + n) * dim + c]! += tap * source[c]!;
        }
    }
  }
  return { output, inverse: inverses };
}

/** Gauss–Jordan inverse with partial pivoting (float64). */
export function invert(matrix: readonly (readonly number[])[]): number[][] {
  const size = matrix.length;
  const rows = matrix.map((row, i) => [...row, ...Array.from({ length: size }, (_, j) => (i === j ? 1 : 0))]);
  for (let column = 0; column < size; column++) {
    let pivot = column;
    for (let r = column + 1; r < size; r++)
      if (Math.abs(rows[r]![column]!) > Math.abs(rows[pivot]![column]!)) pivot = r;
    [rows[column], rows[pivot]] = [rows[pivot]!, rows[column]!];
    const lead = rows[column]![column]!;
    rows[column] = rows[column]!.map((x) => x / lead);
    for (let r = 0; r < size; r++) {
      if (r === column) continue;
      const factor = rows[r]![column]!;
      rows[r] = rows[r]!.map((x, j) => x - factor * rows[column]![j]!);
    }
  }
  return rows.map((row) => row.slice(size));
}

/** erf by its Maclaurin series, accurate to float64 rounding for |x| < 3 (the test's range). */
function erf(x: number): number {
  if (Math.abs(x) >= 3) throw new Error(`erf: |x| = ${Math.abs(x)} is outside the series' range`);
  let term = x;
  let total = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    const next = term / (2 * n + 1);
    total += next;
    if (Math.abs(next) < 1e-18 * Math.abs(total)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * total;
}
