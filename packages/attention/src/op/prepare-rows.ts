import type { Tensor64 } from '@weft/ir';
import type { QkNormAttrs, QkNormSideAttrs, RopeAttrs } from './attention-attrs.js';
import { gridPosition } from './rope-turns.js';

/**
 * Float64 rows `[batch, heads, length, dim]` of the reference, mixed over heads for weighted GQA:
 * out[b, h] = Σ_j w[h, j] · x[b, j] with `weights` `[heads, kvHeads]`.
 */
export function mixHeads(tensor: Tensor64, weights: Tensor64): Tensor64 {
  const [batch, kvHeads, length, dim] = tensor.shape as [number, number, number, number];
  const heads = weights.shape[0]!;
  const block = length * dim;
  const data = new Float64Array(batch * heads * block);
  for (let b = 0; b < batch; b++)
    for (let h = 0; h < heads; h++)
      for (let j = 0; j < kvHeads; j++) {
        const weight = weights.data[h * kvHeads + j]!;
        const source = (b * kvHeads + j) * block;
        const target = (b * heads + h) * block;
        for (let i = 0; i < block; i++) data[target + i]! += weight * tensor.data[source + i]!;
      }
  return { shape: [batch, heads, length, dim], dtype: tensor.dtype, data };
}

/** Normalizes every row (last axis) of `data` in place: x̂ = (x − μ)/σ, then γ ⊙ x̂ + β. */
export function normalizeRows(
  data: Float64Array,
  dim: number,
  norm: QkNormAttrs,
  side: QkNormSideAttrs,
  parameter: (name: string) => Tensor64,
): void {
  const gamma = side.gamma === null ? undefined : parameter(side.gamma);
  const beta = side.beta === null ? undefined : parameter(side.beta);
  for (let start = 0; start < data.length; start += dim) {
    let mean = 0;
    if (norm.kind === 'layer') {
      for (let d = 0; d < dim; d++) mean += data[start + d]!;
      mean /= dim;
    }
    let squares = 0;
    for (let d = 0; d < dim; d++) squares += (data[start + d]! - mean) ** 2;
    const inverse =
      norm.kind === 'l2'
        ? 1 / Math.max(Math.sqrt(squares), norm.epsilon)
        : 1 / Math.sqrt(squares / dim + norm.epsilon);
    for (let d = 0; d < dim; d++) {
      const scale = gamma === undefined ? 1 : gamma.data[gamma.data.length === 1 ? 0 : d]!;
      data[start + d] = (data[start + d]! - mean) * inverse * scale + (beta?.data[d] ?? 0);
    }
  }
}

/** Applies RoPE (1-D or 2-D) in place to every row of `data` `[outer, length, dim]`; positions start at `offset`. */
export function rotateRows(
  data: Float64Array,
  length: number,
  dim: number,
  rope: RopeAttrs,
  offset: number,
): void {
  const axisDims = rope.grid === null ? rope.rotaryDims : rope.rotaryDims / 2;
  const half = axisDims / 2;
  for (let start = 0, row = 0; start < data.length; start += dim, row++) {
    const position = (row % length) + offset;
    const axisPositions = rope.grid === null ? [position] : gridPosition(position, rope.grid[1]);
    axisPositions.forEach((axisPosition, axis) => {
      const base = start + axis * axisDims;
      for (let i = 0; i < half; i++) {
        const angle = axisPosition * rope.base ** ((-2 * i) / axisDims);
        const [a, b] =
          rope.layout === 'half' ? [base + i, base + i + half] : [base + 2 * i, base + 2 * i + 1];
        const x = data[a]!;
        const y = data[b]!;
        data[a] = x * Math.cos(angle) - y * Math.sin(angle);
        data[b] = y * Math.cos(angle) + x * Math.sin(angle);
      }
    });
  }
}
