import { add, literal, matmul, max, mul, type Node, reciprocal, SpecError, sub, sum } from '@weft/ir';

/** Options of {@link newtonSchulzInverse}. */
export interface NewtonSchulzOptions {
  /** Iterations V ← 2V − V·P·V. Default 20 (SOFT's `max_iter`). */
  readonly iterations?: number;
  /** λ in P = B + λI, which bounds the smallest eigenvalue away from 0. Default 0.01. */
  readonly regularization?: number;
  /** α = `stepScale` · 2 / max_i(Σ_j B_ij)², the start V₀ = αP. Default 0.9. */
  readonly stepScale?: number;
}

/**
 * SOFT's Newton–Schulz iteration for the Moore–Penrose inverse of the symmetric, non-negative
 * kernel matrices `matrix` `[..., m, m]` (catalog paper 83, `SOFT/kernel/inverse.py`):
 * P = B + λI, α = 0.9 · 2 / max_rowsum(B)² (the maximum over every matrix of the batch, as the
 * reference's `torch.max`), V₀ = αP, then V ← 2V − V·(P·V), each step two batched matmuls. It
 * converges to P⁻¹ when ‖I − αP²‖ < 1, which the choice of α guarantees for symmetric positive
 * semi-definite B; after k steps the error is (1 − α σ_min(P)²)^(2^k).
 *
 * @example
 * ```ts
 * const kernel = input('kernel', [1, 2, 8, 8]); // [B, H, m, m]
 * const inverse = newtonSchulzInverse(kernel);
 * ```
 */
export function newtonSchulzInverse(matrix: Node, options: NewtonSchulzOptions = {}): Node {
  const iterations = options.iterations ?? 20;
  const regularization = options.regularization ?? 0.01;
  const stepScale = options.stepScale ?? 0.9;
  const size = matrix.shape[matrix.rank - 1];
  if (matrix.rank < 2 || typeof size !== 'number' || matrix.shape[matrix.rank - 2] !== size)
    throw new SpecError('newtonSchulzInverse: the matrix must be [..., m, m] with a static m', {
      tensor: 'matrix',
      expected: '[..., m, m]',
      actual: `[${matrix.shape.map(String).join(', ')}]`,
    });
  if (!Number.isInteger(iterations) || iterations < 1)
    throw new SpecError('newtonSchulzInverse: iterations must be an integer >= 1', { actual: iterations });
  const eye = literal(
    Array.from({ length: size * size }, (_, i) => (Math.floor(i / size) === i % size ? regularization : 0)),
    [size, size],
  );
  const regularized = add(matrix, eye);
  const maxRowSum = max(sum(matrix, [matrix.rank - 1]));
  const alpha = mul(reciprocal(mul(maxRowSum, maxRowSum)), 2 * stepScale);
  let inverse = mul(regularized, alpha);
  for (let step = 0; step < iterations; step++)
    inverse = sub(mul(inverse, 2), matmul(inverse, matmul(regularized, inverse)));
  return inverse;
}
