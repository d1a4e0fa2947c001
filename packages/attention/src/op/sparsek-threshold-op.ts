import {
  type Attrs,
  type Dim,
  makeNode,
  type Node,
  type OpDef,
  ShapeError,
  SpecError,
  type Tensor64,
  type TensorType,
} from '@weft/ir';

/** Name of the SparseK threshold op (`sparseKThreshold`). */
export const SPARSEK_THRESHOLD_OP = 'attention.sparseKThreshold';

/** The decoded attributes of a SparseK threshold node. */
export interface SparseKThresholdAttrs {
  /** Block name, for errors and labels. */
  readonly block: string;
  /** k, the mass Σ_j clip(u_j − τ, 0, 1) each prefix's threshold gives. */
  readonly k: number;
  /** Bisection steps of the device kernel at most (it stops once its f32 bracket cannot shrink). */
  readonly iterations: number;
}

/** Reads stored attrs back, refusing a malformed set (a hand-edited graph) with a `SpecError`. */
export function decodeSparseKThreshold(attrs: Attrs): SparseKThresholdAttrs {
  const block = typeof attrs.block === 'string' ? attrs.block : 'sparsek';
  for (const key of ['k', 'iterations']) {
    const value = attrs[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
      throw new SpecError(`sparseKThreshold "${block}": attribute "${key}" must be a positive integer`, {
        block,
        expected: key,
        actual: JSON.stringify(value ?? null),
      });
  }
  return { block, k: attrs.k as number, iterations: attrs.iterations as number };
}

/**
 * The float64 definition: for each prefix u_0 … u_i of a row of u, the largest τ with
 * Σ_{j≤i} clip(u_j − τ, 0, 1) ≥ k (the SparseK operator's threshold; the sum equals k there), exactly:
 * the sum is piecewise linear in τ with breakpoints u_j (a key enters the linear part) and u_j − 1
 * (it saturates), so walking the breakpoints downwards finds the segment where it reaches k. A
 * prefix of at most k keys gets min u − 1, where every clip is 1 (SparseK keeps all of them).
 *
 * @example
 * ```ts
 * const tau = sparseKThresholdRow([1, 1, 1, 1], 2); // 0.5: each clip(1 − τ, 0, 1) is 1/2
 * ```
 */
export function sparseKThresholdRow(prefix: ArrayLike<number>, k: number): number {
  const events: [number, number][] = [];
  let lowest = Number.POSITIVE_INFINITY;
  for (let j = 0; j < prefix.length; j++) {
    const value = prefix[j]!;
    lowest = Math.min(lowest, value);
    events.push([value, 1], [value - 1, -1]);
  }
  if (prefix.length <= k) return lowest - 1;
  events.sort((a, b) => b[0] - a[0]);
  // mass at τ = previous, and the keys in the linear part just below it.
  let mass = 0;
  let linear = 0;
  let previous = events[0]![0];
  for (const [point, change] of events) {
    const below = mass + (previous - point) * linear;
    if (below >= k && linear > 0) return previous - (k - mass) / linear;
    mass = below;
    previous = point;
    linear += change;
  }
  return lowest - 1;
}

function evaluateSparseKThreshold(inputs: readonly Tensor64[], attrs: Attrs): Tensor64 {
  const { k } = decodeSparseKThreshold(attrs);
  const scores = inputs[0]!;
  const n = scores.shape.at(-1)!;
  const data = new Float64Array(scores.data.length);
  for (let row = 0; row < data.length; row += n)
    for (let i = 0; i < n; i++)
      data[row + i] = sparseKThresholdRow(scores.data.subarray(row, row + i + 1), k);
  return { shape: scores.shape, dtype: 'f32', data };
}

/**
 * The SparseK threshold op (`attention.sparseKThreshold`, catalog paper 86): for scores u
 * `[…, N]` f32, τ `[…, N]` where τ_i is the threshold of the causal prefix u_{≤i} (see
 * {@link sparseKThresholdRow}). One kernel of `@weft/attention/kernels` (one invocation per prefix,
 * bisection in registers) where graph ops would take three kernels per bisection step.
 */
export const sparseKThresholdOp: OpDef = {
  name: SPARSEK_THRESHOLD_OP,
  arity: 1,
  fusion: 'opaque',
  infer(inputs: readonly TensorType[], attrs): TensorType {
    const { block } = decodeSparseKThreshold(attrs);
    const scores = inputs[0]!;
    if (scores.dtype !== 'f32' || scores.shape.length === 0)
      throw new ShapeError(`sparseKThreshold "${block}": the scores must be f32 of rank 1 or more`, {
        block,
        tensor: 'scores',
        expected: 'f32 [..., N]',
        actual: `${scores.dtype} [${scores.shape.map((dim: Dim) => (typeof dim === 'number' ? dim : dim.name)).join(', ')}]`,
      });
    return { dtype: 'f32', shape: scores.shape };
  },
  evaluate: (inputs, attrs) => evaluateSparseKThreshold(inputs, attrs),
  describe(node) {
    const { k } = decodeSparseKThreshold(node.attrs);
    return `k ${k}, causal prefixes`;
  },
};

/**
 * τ `[…, N]` of SparseK (Lou et al. 2024, catalog #86) for every causal prefix of the scores u
 * `[…, N]`: the largest τ with Σ_{j≤i} clip(u_j − τ, 0, 1) = k, so that m^(i) = clip(u_{≤i} − τ_i, 0, 1)
 * is the projection of u_{≤i} onto {p ∈ [0, 1]^{i+1}, Σp = k} (min u_{≤i} − 1, every m 1, where the
 * prefix has at most k keys). One fused kernel on the device: per prefix, bisection of f32 brackets
 * [min − 1, max] for at most `iterations` steps (it stops when the bracket is one f32 apart); the
 * float64 reference is exact.
 *
 * @example
 * ```ts
 * const u = input('u', [1, 2, 64]); // one score per key
 * const tau = sparseKThreshold(u, 12); // [1, 2, 64]: τ_i of the prefix u_0 … u_i
 * ```
 */
export function sparseKThreshold(
  scores: Node,
  k: number,
  options: { readonly iterations?: number; readonly block?: string } = {},
): Node {
  const attrs = { block: options.block ?? 'sparsek', k, iterations: options.iterations ?? 40 };
  decodeSparseKThreshold(attrs);
  return makeNode(sparseKThresholdOp, [scores], attrs, attrs.block);
}
