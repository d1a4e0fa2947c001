import type { Tensor64 } from '@weft/ir';
import { randomTensor } from '@weft/ir/test';
import { type HeadParameter, type Mask, type PLaplacianAnchorScale, pLaplacian } from '../src/index.js';
import { type AttentionCase, buildCase, type CaseShape, tensorRef } from './attention-case.js';

/** The parameters of one p-Laplacian case. */
export interface PLaplacianCaseOptions {
  readonly p: HeadParameter;
  readonly mu: HeadParameter;
  readonly epsilon?: number;
  readonly anchorScale?: PLaplacianAnchorScale;
  readonly mask?: Mask;
  /** Extra `[heads]` tensors the parameters read. */
  readonly parameters?: Record<string, Tensor64>;
}

/** A p-Laplacian attention case whose features `xq` are seeded random rows (never zeros). */
export function pLaplacianCase(
  shape: CaseShape,
  options: PLaplacianCaseOptions,
  seed: number,
): AttentionCase {
  const featureShape = [shape.batch, shape.heads, shape.queries, shape.valueDim];
  const features = randomTensor(featureShape, { seed: seed + 7 });
  const normalizer = pLaplacian({
    features: tensorRef('xq', featureShape),
    p: options.p,
    mu: options.mu,
    ...(options.epsilon === undefined ? {} : { epsilon: options.epsilon }),
    ...(options.anchorScale === undefined ? {} : { anchorScale: options.anchorScale }),
  });
  const extra = Object.fromEntries(
    Object.entries({ xq: features, ...options.parameters }).map(([name, tensor]) => [name, { tensor }]),
  );
  return buildCase(
    shape,
    { normalizer, ...(options.mask === undefined ? {} : { mask: options.mask }) },
    extra,
    seed,
  );
}

/** Per-row parameters of {@link densePLaplacian}. */
export interface DensePLaplacianParameters {
  readonly p: (h: number) => number;
  readonly mu: (h: number) => number;
  readonly epsilon: number;
  readonly anchorScale: number;
  /** Keep predicate (default all). */
  readonly keep?: (b: number, h: number, i: number, j: number) => boolean;
}

/**
 * A hand-written float64 p-Laplacian attention, independent of the IR: softmax of q·k/√d over the
 * kept keys, M_ij = A_ij(‖x_i − v_j‖² + ε)^{(p−2)/2}, α_i = 1/(Σ M_ij + 2μ/p),
 * o_i = α_i Σ M_ij v_j + (cμ/p)α_i x_i (GQA by head groups).
 */
export function densePLaplacian(
  testCase: AttentionCase,
  parameters: DensePLaplacianParameters,
): Float64Array {
  const { batch, heads, kvHeads, queries, keys, headDim, valueDim } = testCase.shape;
  const q = testCase.inputs.q!.data;
  const k = testCase.inputs.k!.data;
  const v = testCase.inputs.v!.data;
  const x = testCase.inputs.xq!.data;
  const output = new Float64Array(batch * heads * queries * valueDim);
  for (let b = 0; b < batch; b++)
    for (let h = 0; h < heads; h++) {
      const kvHead = Math.floor((h * kvHeads) / heads);
      const p = parameters.p(h);
      const mu = parameters.mu(h);
      for (let i = 0; i < queries; i++) {
        const row = ((b * heads + h) * queries + i) * valueDim;
        const visible: number[] = [];
        const scores: number[] = [];
        for (let j = 0; j < keys; j++) {
          if (parameters.keep !== undefined && !parameters.keep(b, h, i, j)) continue;
          let dot = 0;
          for (let d = 0; d < headDim; d++)
            dot +=
              q[((b * heads + h) * queries + i) * headDim + d]! *
              k[((b * kvHeads + kvHead) * keys + j) * headDim + d]!;
          visible.push(j);
          scores.push(dot / Math.sqrt(headDim));
        }
        const max = Math.max(...scores);
        const exps = scores.map((s) => Math.exp(s - max));
        const total = exps.reduce((sum, e) => sum + e, 0);
        const m = visible.map((j, position) => {
          let squared = 0;
          for (let d = 0; d < valueDim; d++)
            squared += (x[row + d]! - v[((b * kvHeads + kvHead) * keys + j) * valueDim + d]!) ** 2;
          return (exps[position]! / total) * (squared + parameters.epsilon) ** ((p - 2) / 2);
        });
        const denominator = m.reduce((sum, value) => sum + value, 0) + (2 * mu) / p;
        const alpha = denominator === 0 ? 0 : 1 / denominator;
        for (let d = 0; d < valueDim; d++) {
          let sum = ((parameters.anchorScale * mu) / p) * alpha * x[row + d]!;
          visible.forEach((j, position) => {
            sum += alpha * m[position]! * v[((b * kvHeads + kvHead) * keys + j) * valueDim + d]!;
          });
          output[row + d] = sum;
        }
      }
    }
  return output;
}
