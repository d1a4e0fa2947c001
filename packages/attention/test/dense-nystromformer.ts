import { type Matrix, product } from './dense-matrix.js';

/**
 * Nyströmformer in float64 with plain loops, from the paper (Xiong et al., eqs. 13–15), independently
 * of the IR: Q, K scaled by d^(−1/4); landmarks Q̃, K̃ as means of m equal segments; F̃ = softmax(Q K̃ᵀ),
 * A = softmax(Q̃ K̃ᵀ), B̃ = softmax(Q̃ Kᵀ); Z₀ = Aᵀ / (‖A‖₁ ‖A‖∞),
 * Z ← ¼ Z (13I − AZ (15I − AZ (7I − AZ))); out = F̃ Z (B̃ V). Layout `[1, heads, n, d]`; returns the
 * output `[heads, n, d]` and Z `[heads, m, m]`.
 */
export function denseNystromformer(
  values: Readonly<Record<string, ArrayLike<number>>>,
  sizes: { heads: number; length: number; dim: number; landmarks: number; iterations: number },
): { output: Float64Array; pseudoInverse: Float64Array } {
  const { heads, length, dim, landmarks, iterations } = sizes;
  const segment = length / landmarks;
  const output = new Float64Array(heads * length * dim);
  const pseudoInverse = new Float64Array(heads * landmarks * landmarks);
  const rows = (name: string, h: number, scale: number): Matrix =>
    Array.from({ length }, (_, n) =>
      Array.from({ length: dim }, (_, c) => Number(values[name]![(h * length + n) * dim + c]) * scale),
    );
  for (let h = 0; h < heads; h++) {
    const q = rows('q', h, dim ** -0.25);
    const k = rows('k', h, dim ** -0.25);
    const v = rows('v', h, 1);
    const means = (x: Matrix): Matrix =>
      Array.from({ length: landmarks }, (_, j) =>
        Array.from({ length: dim }, (_, c) => {
          let total = 0;
          for (let t = 0; t < segment; t++) total += x[j * segment + t]![c]!;
          return total / segment;
        }),
      );
    const landmarkQ = means(q);
    const landmarkK = means(k);
    const kernelF = softmaxRows(product(q, transpose(landmarkK)));
    const kernelA = softmaxRows(product(landmarkQ, transpose(landmarkK)));
    const kernelB = softmaxRows(product(landmarkQ, transpose(k)));
    const z = paperPseudoInverse(kernelA, iterations);
    const out = product(product(kernelF, z), product(kernelB, v));
    for (let n = 0; n < length; n++)
      for (let c = 0; c < dim; c++) output[(h * length + n) * dim + c] = out[n]![c]!;
    for (let i = 0; i < landmarks; i++)
      for (let j = 0; j < landmarks; j++) pseudoInverse[(h * landmarks + i) * landmarks + j] = z[i]![j]!;
  }
  return { output, pseudoInverse };
}

function paperPseudoInverse(a: Matrix, iterations: number): Matrix {
  const size = a.length;
  let normOne = 0;
  let normInfinity = 0;
  for (let j = 0; j < size; j++) {
    let column = 0;
    let row = 0;
    for (let i = 0; i < size; i++) {
      column += Math.abs(a[i]![j]!);
      row += Math.abs(a[j]![i]!);
    }
    normOne = Math.max(normOne, column);
    normInfinity = Math.max(normInfinity, row);
  }
  let z = transpose(a).map((row) => row.map((x) => x / (normOne * normInfinity)));
  const shifted = (c: number, x: Matrix): Matrix =>
    x.map((row, i) => row.map((y, j) => (i === j ? c : 0) - y));
  for (let step = 0; step < iterations; step++) {
    const az = product(a, z);
    const inner = product(az, shifted(7, az));
    const middle = product(az, shifted(15, inner));
    z = product(z, shifted(13, middle)).map((row) => row.map((x) => x / 4));
  }
  return z;
}

function transpose(a: Matrix): Matrix {
  return a[0]!.map((_, j) => a.map((row) => row[j]!));
}

function softmaxRows(a: Matrix): Matrix {
  return a.map((row) => {
    const top = Math.max(...row);
    const weights = row.map((x) => Math.exp(x - top));
    const total = weights.reduce((s, w) => s + w, 0);
    return weights.map((w) => w / total);
  });
}
