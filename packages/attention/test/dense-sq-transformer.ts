import { softmaxRow } from './dense-heads.js';
import { matrix, product, type Values } from './dense-matrix.js';

/** Sizes of the SQ-Transformer instance. */
export interface DenseSalSizes {
  readonly heads: number;
  readonly length: number;
  readonly width: number;
  readonly headDim: number;
  /** Clip distance K of the relative positions. */
  readonly clip: number;
}

/**
 * SQ-Transformer's SAL (catalog paper 46) written from the paper, in float64 with plain loops:
 * x̂_t = c_{argmin_k ‖x_t − c_k‖}; per head A = softmax_j((q̂_i·k̂_j + q̂_i·r^K_{clip(i−j)})/√d_h)
 * with q̂ = x̂W_Q, k̂ = x̂W_K; O = A(xW_V) + Σ_j a_ij r^V_{clip(i−j)} and Ô = A(x̂W_V) + the same
 * relative term, laid out as [O | Ô] per row. Also returns x̂ and the clipped-offset masses
 * M_{i,r} = Σ_{j: clip(i−j) = r} a_ij. Parameter names are those of `sqTransformerCatalogEntry`.
 */
export function denseSal(
  values: Values,
  sizes: DenseSalSizes,
  name: string,
): { output: Float64Array; quantized: Float64Array; relativeMass: Float64Array } {
  const { heads, length, width, headDim, clip } = sizes;
  const offsets = 2 * clip + 1;
  const tokens = matrix(values, 'x', width);
  const codes = matrix(values, `${name}.codebook`, width);
  const quantizedRows = tokens.map((token) => {
    const distances = codes.map((code) => code.reduce((total, c, d) => total + (token[d]! - c) ** 2, 0));
    return codes[distances.indexOf(Math.min(...distances))]!;
  });
  const perHead = (part: string, h: number) =>
    matrix(values, `${name}.${part}`, headDim).slice(h * width, (h + 1) * width);
  const relativeKeys = matrix(values, `${name}.relativeKeys`, headDim);
  const relativeValues = matrix(values, `${name}.relativeValues`, headDim);
  const output = new Float64Array(heads * length * 2 * headDim);
  const relativeMass = new Float64Array(heads * length * offsets);
  const bucket = (i: number, j: number) => Math.min(clip, Math.max(-clip, i - j)) + clip;
  const dot = (a: readonly number[], b: readonly number[]) => a.reduce((t, x, d) => t + x * b[d]!, 0);
  for (let h = 0; h < heads; h++) {
    const q = product(quantizedRows, perHead('queryWeights', h));
    const k = product(quantizedRows, perHead('keyWeights', h));
    const realValues = product(tokens, perHead('valueWeights', h));
    const quantizedValues = product(quantizedRows, perHead('valueWeights', h));
    for (let i = 0; i < length; i++) {
      const scores = k.map(
        (key, j) => (dot(q[i]!, key) + dot(q[i]!, relativeKeys[bucket(i, j)]!)) / Math.sqrt(headDim),
      );
      const a = softmaxRow(scores);
      const row = (h * length + i) * 2 * headDim;
      a.forEach((weight, j) => {
        relativeMass[(h * length + i) * offsets + bucket(i, j)]! += weight;
        for (let d = 0; d < headDim; d++) {
          const relative = weight * relativeValues[bucket(i, j)]![d]!;
          output[row + d]! += weight * realValues[j]![d]! + relative;
          output[row + headDim + d]! += weight * quantizedValues[j]![d]! + relative;
        }
      });
    }
  }
  return { output, quantized: Float64Array.from(quantizedRows.flat()), relativeMass };
}
