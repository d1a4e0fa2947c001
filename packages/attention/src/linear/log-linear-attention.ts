import { type Node, SpecError } from '@weft/ir';
import {
  checkOperands,
  chunkedForm,
  type LogLinearState,
  prefixState,
  quadraticForm,
} from './log-linear-forms.js';
import { fusedLogLinear } from './log-linear-op.js';

export type { LogLinearState } from './log-linear-forms.js';

/** Options of {@link logLinearAttention}. */
export interface LogLinearOptions {
  /** Block name (errors). */
  readonly name: string;
  /**
   * Mamba-2's per-position log decay a_t ≤ 0 `[B, H, N]` (A·Δt): key s weighs
   * A_ts = exp(Σ_{r=s+1}^{t} a_r) for query t. Omitted: plain linear attention (A = 1).
   */
  readonly logDecay?: Node;
  /**
   * `chunked` (default): quadratic inside chunks for the levels a chunk holds, then one state per
   * Fenwick level above it, O(N·d² · log(N/C)), built from IR ops (about 16 kernels);
   * `fused`: the same chunked algorithm as one `linearAttention.logLinear` node, one kernel that
   * sweeps the chunks once (compile with `linearAttentionExtension`); `quadratic`: the O(N²)
   * masked product (H ⊙ QKᵀ)V.
   */
  readonly form?: 'chunked' | 'fused' | 'quadratic';
  /** Positions per chunk of the chunked form: a power of two in [1, 64] (default 16). */
  readonly chunkSize?: number;
  /** Also return the decode state after the last position (`logLinearDecodeStep` continues it). */
  readonly returnState?: boolean;
}

/** What {@link logLinearAttention} builds. */
export interface AppliedLogLinear {
  /** o `[B, H, N, d_v]`. */
  readonly output: Node;
  /** The state after the last position, when asked for. */
  readonly state?: LogLinearState;
}

/**
 * Log-linear attention (Guo, Yang, Goel, Xing, Dao, Kim 2025, catalog paper 109), the Mamba-2
 * instance: O = (QKᵀ ⊙ H) V with H_ts = A_ts λ_t^(ℓ(t,s)) for s ≤ t, A the Mamba-2 decay (or 1)
 * and ℓ(t, s) the Fenwick level of key s for query t (0 on the diagonal; ℓ ≥ 1 the bucket
 * [t − t mod 2^(ℓ−1) − 2^(ℓ−1), t − t mod 2^(ℓ−1)) when bit ℓ − 1 of t is set). λ `[B, H, N, L]`
 * (L ≥ ⌈log2 N⌉ + 1, λ ≥ 0) is the data-dependent per-level weight. The chunked form runs levels
 * ≤ log2 C as a masked quadratic product inside each chunk, and each higher level ℓ as one
 * d_k × d_v state per aligned 2^(ℓ−1) block (the lower half of each 2^ℓ segment, read by the upper
 * half): O(log N) states per position, the decays kept inside a block (segment sums). No feature map
 * and no denominator, as in the paper; the Gated DeltaNet instance is not built.
 *
 * @example
 * ```ts
 * const { output } = logLinearAttention(q, k, v, levelWeights, { name: 'layer.0', logDecay: a });
 * ```
 * @throws ShapeError when an operand's shape is not the one above (static dims), or λ has too few
 *   levels for N; SpecError for a bad chunk size.
 */
export function logLinearAttention(
  query: Node,
  key: Node,
  value: Node,
  levelWeights: Node,
  options: LogLinearOptions,
): AppliedLogLinear {
  const sizes = checkOperands(query, key, value, levelWeights, options.logDecay, options.name);
  const chunk = options.chunkSize ?? 16;
  if (!Number.isInteger(Math.log2(chunk)) || chunk < 1 || chunk > 64)
    throw new SpecError(
      `log-linear attention "${options.name}": chunkSize must be a power of two in [1, 64]`,
      {
        block: options.name,
        dimension: 'chunkSize',
        expected: '1, 2, 4, … 64',
        actual: chunk,
      },
    );
  const a = options.logDecay;
  const output =
    options.form === 'quadratic'
      ? quadraticForm(query, key, value, levelWeights, a, sizes)
      : options.form === 'fused'
        ? fusedLogLinear(
            { q: query, k: key, v: value, lambda: levelWeights, ...(a === undefined ? {} : { a }) },
            options.name,
            chunk,
          )
        : chunkedForm(query, key, value, levelWeights, a, sizes, chunk);
  if (options.returnState !== true) return { output };
  return { output, state: prefixState(key, value, options.logDecay, sizes) };
}
