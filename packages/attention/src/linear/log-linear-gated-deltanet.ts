import {
  add,
  exp,
  full,
  literal,
  matmul,
  mul,
  type Node,
  reshape,
  ShapeError,
  SpecError,
  slice,
  sub,
  sum,
} from '@weft/ir';
import { deltaRuleChunks } from './delta-rule-chunked.js';
import {
  checkDeltaRuleOperands,
  checkStepShapes,
  cumulativeDecay,
  type DeltaRuleReadout,
  decayToEnd,
  deltaRuleParts,
  deltaRuleQueryKey,
} from './delta-rule-parts.js';
import {
  fenwickCarry,
  fenwickLevelCount,
  fenwickLevelWeights,
  fenwickPrefixBuckets,
} from './fenwick-levels.js';
import type { LogLinearState } from './log-linear-attention.js';
import { chunkedLogLinearDeltaRule } from './log-linear-delta-rule-chunked.js';

/** Options of {@link logLinearGatedDeltaNet}. */
export interface LogLinearGatedDeltaNetOptions extends DeltaRuleReadout {
  /** Block name (errors). */
  readonly name: string;
  /** β_t ∈ (0, 1) `[B, H, N]`. */
  readonly beta: Node;
  /** g_t ≤ 0 `[B, H, N]` (α_t = exp(g_t)); omitted: α = 1. */
  readonly logDecay?: Node;
  /**
   * `parallel` (default): the whole-sequence quadratic form, O(N² d + N³ log N); `chunked`: the
   * C × C WY solve per chunk of `chunkSize` positions with λ applied per Fenwick level inside it,
   * then one delta-rule state per Fenwick level above the chunk carried from chunk to chunk and
   * merged at chunk boundaries, O(N·C·d + N·d² log(N/C) + N·C² log C).
   */
  readonly form?: 'parallel' | 'chunked';
  /** Positions per chunk of the chunked form: a power of two in [1, 64] (default 16). */
  readonly chunkSize?: number;
  /** Also return the Fenwick level states after the last position (`logLinearGatedDeltaNetDecodeStep`). */
  readonly returnState?: boolean;
}

/** What {@link logLinearGatedDeltaNet} builds. */
export interface AppliedLogLinearGatedDeltaNet {
  /** o `[B, H, N, d_v]`. */
  readonly output: Node;
  /** The level states after the last position, when asked for. */
  readonly state?: LogLinearState;
}

/**
 * Log-linear Gated DeltaNet (Guo, Yang, Goel, Xing, Dao, Kim 2025, catalog paper 109, its second
 * instance): Gated DeltaNet's transfer matrix P = (QKᵀ ⊙ Γ)(I + A)⁻¹ diag(β) — P_ts v_s is what
 * position s's write β_s v_s k_sᵀ, carried by the transitions α_r (I − β_r k_r k_rᵀ) of r = s+1 … t,
 * gives query t — masked by the Fenwick level weights: O = (P ⊙ H^λ) V, H^λ_ts = λ_t^(ℓ(t,s)).
 * The level ℓ(t, s) is that of the written value's position s, as in the official
 * `hattention` kernel `chunk_fwd_kernel_o_intra` (HanGuo97/log-linear-attention), which scales
 * ((QKᵀ)·(I + A)⁻¹)_ts by exp(g_t − g_s) β_s λ_t^(ℓ(t,s)) before the product with V. With λ ≡ 1 it is
 * Gated DeltaNet. Recurrently, each level holds a d_k × d_v state that every step's transition
 * carries, and the buckets merge by the binary carry of t (`logLinearGatedDeltaNetDecodeStep`).
 * Quadratic form by default, O(N² d + N³ log N) work per head; `form: 'chunked'` solves per chunk
 * of C positions and carries one delta-rule state per Fenwick level above the chunk.
 *
 * @example
 * ```ts
 * const { output } = logLinearGatedDeltaNet(q, k, v, levelWeights, { name: 'layer.0', beta, logDecay: g });
 * const chunked = logLinearGatedDeltaNet(q, k, v, levelWeights, {
 *   name: 'layer.0',
 *   beta,
 *   logDecay: g,
 *   form: 'chunked',
 *   chunkSize: 16,
 * });
 * ```
 * @throws ShapeError when an operand's shape is not the one above (static dims), λ has fewer than
 *   ⌈log2 N⌉ + 1 levels, or fewer than 2 with `returnState`.
 * @throws SpecError when `chunkSize` is not a power of two in [1, 64].
 */
export function logLinearGatedDeltaNet(
  query: Node,
  key: Node,
  value: Node,
  levelWeights: Node,
  options: LogLinearGatedDeltaNetOptions,
): AppliedLogLinearGatedDeltaNet {
  const { beta, logDecay, name } = options;
  const what = 'log-linear Gated DeltaNet';
  const sizes = checkDeltaRuleOperands({ query, key, value, beta, logDecay }, what, name);
  const { B, H, N, dk, dv } = sizes;
  const L = levelWeights.shape[3];
  const needed = fenwickLevelCount(N);
  if (
    levelWeights.rank !== 4 ||
    typeof L !== 'number' ||
    L < needed ||
    ![B, H, N].every((dim, axis) => levelWeights.shape[axis] === dim)
  )
    throw new ShapeError(`${what} "${name}": levelWeights must be [${B}, ${H}, ${N}, L], L >= ${needed}`, {
      block: name,
      tensor: 'levelWeights',
      expected: `[${B}, ${H}, ${N}, L] with L >= ${needed} (⌈log2 N⌉ + 1 levels)`,
      actual: `[${levelWeights.shape.join(', ')}]`,
    });
  // The decode state holds levels 1 … L − 1: λ needs a column past level 0 to carry one.
  if (options.returnState === true && L < 2)
    throw new ShapeError(`${what} "${name}": returnState needs levelWeights with L >= 2 columns`, {
      block: name,
      tensor: 'levelWeights',
      expected: `[${B}, ${H}, ${N}, L] with L >= 2 (level 0 and at least one state level)`,
      actual: `[${levelWeights.shape.join(', ')}]`,
    });
  const read = deltaRuleQueryKey(query, key, options);
  if (options.form === 'chunked') {
    const chunk = options.chunkSize ?? 16;
    if (!Number.isInteger(Math.log2(chunk)) || chunk < 1 || chunk > 64)
      throw new SpecError(`${what} "${name}": chunkSize must be a power of two in [1, 64]`, {
        block: name,
        dimension: 'chunkSize',
        expected: '1, 2, 4, … 64',
        actual: chunk,
      });
    // Chunks aligned at multiples of C keep the Fenwick levels ≤ log2 C inside a chunk.
    const C = Math.min(chunk, 2 ** (needed - 1));
    const parts = deltaRuleChunks(read.query, read.key, value, beta, logDecay, sizes, C);
    return chunkedLogLinearDeltaRule(parts, levelWeights, { ...sizes, L }, options.returnState === true);
  }
  const { scores, solve } = deltaRuleParts(read.query, read.key, beta, cumulativeDecay(logDecay), sizes);
  const transfer = mul(matmul(scores, solve), reshape(beta, [B, H, 1, N]));
  const masked = mul(transfer, fenwickLevelWeights(levelWeights, [B, H, N, N], N));
  const output = matmul(masked, value);
  if (options.returnState !== true) return { output };

  // Position s's write carried to the end of the prefix is k̃_s β_s v_sᵀ with
  // K̃ = Tᵀ diag(exp(c_{N−1} − c)) K (T = (I + A)⁻¹); level ℓ sums the writes of its bucket.
  const survival = decayToEnd(logDecay, sizes);
  const carried = matmul(solve, survival === undefined ? read.key : mul(read.key, survival), {
    transposeA: true,
  });
  const stateLevels = L - 1;
  const buckets = reshape(literal(fenwickPrefixBuckets(N, stateLevels), [stateLevels, N]), [
    1,
    1,
    stateLevels,
    N,
    1,
  ]);
  const writes = reshape(mul(value, reshape(beta, [B, H, N, 1])), [B, H, 1, N, dv]);
  const levels = matmul(mul(reshape(carried, [B, H, 1, N, dk]), buckets), writes, { transposeA: true });
  return { output, state: { levels, position: full(N, [1]) } };
}

/** Operands of {@link logLinearGatedDeltaNetDecodeStep}: one position. */
export interface LogLinearGatedDeltaNetStepOperands {
  /** q_t `[B, H, 1, d_k]`. */
  readonly query: Node;
  /** k_t `[B, H, 1, d_k]`. */
  readonly key: Node;
  /** v_t `[B, H, 1, d_v]`. */
  readonly value: Node;
  /** β_t `[B, H, 1]`. */
  readonly beta: Node;
  /** g_t `[B, H, 1]`, or omitted for α = 1. */
  readonly logDecay?: Node;
  /** λ_t `[B, H, 1, L + 1]` (levels 0 … L, L the state's levels). */
  readonly levelWeights: Node;
  /** The level states before position t (zeros and t = 0 for a new sequence). */
  readonly state: LogLinearState;
}

/** What {@link logLinearGatedDeltaNetDecodeStep} builds. */
export interface LogLinearGatedDeltaNetStep {
  /** o_t `[B, H, 1, d_v]`. */
  readonly output: Node;
  /** The level states after position t. */
  readonly state: LogLinearState;
}

/**
 * One log-linear Gated DeltaNet decode step (catalog paper 109) on its Fenwick level states
 * h^(ℓ) `[B, H, L, d_k, d_v]`: every level takes the step's transition,
 * h ← α_t (h − β_t k_t (k_tᵀ h)); the step's own write is β_t k_t v_tᵀ (level 0);
 * o_t = λ_t^(0) β_t (q_t·k_t) v_t + Σ_{ℓ≥1} λ_t^(ℓ) h^(ℓ)ᵀ q_t; then the binary carry of t + 1 merges
 * levels as log-linear Mamba-2's decode does. O(L · d_k · d_v) whatever t.
 *
 * @example
 * ```ts
 * const state = logLinearStateInputs(1, 4, 5, 16, 16, 'layer.0');
 * const step = logLinearGatedDeltaNetDecodeStep(
 *   { query, key, value, beta, logDecay, levelWeights, state },
 *   'layer.0',
 * );
 * ```
 * @throws ShapeError naming the operand whose shape does not match the state.
 */
export function logLinearGatedDeltaNetDecodeStep(
  operands: LogLinearGatedDeltaNetStepOperands,
  name: string,
  readout: DeltaRuleReadout = {},
): LogLinearGatedDeltaNetStep {
  const { query, key, value, beta, logDecay, levelWeights, state } = operands;
  const [B, H, L, dk, dv] = state.levels.shape as number[];
  const fail = (tensor: string, expected: string, actual: Node) =>
    new ShapeError(`log-linear Gated DeltaNet decode step "${name}": ${tensor} must be ${expected}`, {
      block: name,
      tensor,
      expected,
      actual: `[${actual.shape.join(', ')}]`,
    });
  if (state.levels.rank !== 5 || ![B, H, L, dk, dv].every((dim) => typeof dim === 'number'))
    throw fail('state.levels', '[B, H, L, d_k, d_v] with static dims', state.levels);
  const same = (x: Node, shape: readonly number[]) =>
    x.rank === shape.length && x.shape.every((dim, axis) => dim === shape[axis]);
  if (!same(state.position, [1])) throw fail('state.position', '[1]', state.position);
  checkDeltaRuleOperands(
    { query, key, value, beta, logDecay },
    'log-linear Gated DeltaNet decode step',
    name,
  );
  checkStepShapes({ query, key, value }, [B!, H!, dk!, dv!], name);
  if (!same(levelWeights, [B!, H!, 1, L! + 1]))
    throw fail('levelWeights', `[${B}, ${H}, 1, ${L! + 1}] (the state's levels + level 0)`, levelWeights);

  const read = deltaRuleQueryKey(query, key, readout);
  const perHead = (x: Node) => reshape(x, [B!, H!, 1, 1, 1]);
  const key5 = reshape(read.key, [B!, H!, 1, 1, dk!]);
  const erased = sub(
    state.levels,
    mul(matmul(key5, matmul(key5, state.levels), { transposeA: true }), perHead(beta)),
  );
  const levels = logDecay === undefined ? erased : mul(erased, perHead(exp(logDecay)));
  const fromLevels = matmul(reshape(read.query, [B!, H!, 1, 1, dk!]), levels); // [B, H, L, 1, d_v]
  const upperWeights = reshape(slice(levelWeights, [0, 0, 0, 1], [B!, H!, 1, L! + 1]), [B!, H!, L!, 1, 1]);
  const past = reshape(sum(mul(fromLevels, upperWeights), 2), [B!, H!, 1, dv!]);
  const written = mul(value, reshape(beta, [B!, H!, 1, 1])); // β_t v_t
  const diagonal = mul(
    mul(
      sum(mul(read.query, read.key), 3, { keepDims: true }),
      slice(levelWeights, [0, 0, 0, 0], [B!, H!, 1, 1]),
    ),
    written,
  );
  const entering = reshape(matmul(read.key, written, { transposeA: true }), [B!, H!, 1, dk!, dv!]);
  return {
    output: add(diagonal, past),
    state: { levels: fenwickCarry(levels, entering, state.position), position: add(state.position, 1) },
  };
}
