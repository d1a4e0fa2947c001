/**
 * Loki's offline calibration (catalog #59), on the host in float64: the `rank` leading principal
 * directions of `keys` (`count` rows of `dim`), as a row-major `[dim, rank]` matrix with orthonormal
 * columns sorted by decreasing variance. Cyclic Jacobi rotations of the (uncentred, as Loki's PCA
 * of the raw keys) second-moment matrix KᵀK/n.
 */
export function principalDirections(keys: ArrayLike<number>, dim: number, rank: number): Float32Array {
  const count = keys.length / dim;
  const a = Array.from({ length: dim }, (_, r) =>
    Array.from({ length: dim }, (_, c) => {
      let sum = 0;
      for (let n = 0; n < count; n++) sum += Number(keys[n * dim + r]) * Number(keys[n * dim + c]);
      return sum / count;
    }),
  );
  const vectors = Array.from({ length: dim }, (_, r) =>
    Array.from({ length: dim }, (_, c): number => (r === c ? 1 : 0)),
  );
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < dim; p++) for (let q = p + 1; q < dim; q++) off += a[p]![q]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < dim; p++)
      for (let q = p + 1; q < dim; q++) {
        if (Math.abs(a[p]![q]!) < 1e-300) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * a[p]![q]!);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < dim; k++) {
          const [akp, akq] = [a[k]![p]!, a[k]![q]!];
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < dim; k++) {
          const [apk, aqk] = [a[p]![k]!, a[q]![k]!];
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
        for (let k = 0; k < dim; k++) {
          const [vkp, vkq] = [vectors[k]![p]!, vectors[k]![q]!];
          vectors[k]![p] = c * vkp - s * vkq;
          vectors[k]![q] = s * vkp + c * vkq;
        }
      }
  }
  const order = Array.from({ length: dim }, (_, i) => i).sort((x, y) => a[y]![y]! - a[x]![x]!);
  const basis = new Float32Array(dim * rank);
  for (let r = 0; r < dim; r++) for (let c = 0; c < rank; c++) basis[r * rank + c] = vectors[r]![order[c]!]!;
  return basis;
}
