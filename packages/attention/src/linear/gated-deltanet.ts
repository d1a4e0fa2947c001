import { add, exp, input, matmul, mul, type Node, reshape, ShapeError, SpecError, sub } from '@weft/ir';
import { chunkedDeltaRule } from './delta-rule-chunked.js';
import {
  checkDeltaRuleOperands,
  checkStepShapes,
  cumulativeDecay,
  type DeltaRuleReadout,
  decayToEnd,
  deltaRuleParts,
  deltaRuleQueryKey,
} from './delta-rule-parts.js';

export type { DeltaRuleReadout } from './delta-rule-parts.js';

/** Options of {@link gatedDeltaNet}. */
export interface GatedDeltaNetOptions extends DeltaRuleReadout {
  /** Block name (errors). */
  readonly name: string;
  /** β_t ∈ (0, 1) `[B, H, N]` (sigmoid of a projection in the paper), the delta rule's step size. */
  readonly beta: Node;
  /**
   * g_t ≤ 0 `[B, H, N]`, α_t = exp(g_t) (−exp(A_log)·softplus(a_t + dt_bias) in the layer).
   * Omitted: α = 1, plain DeltaNet.
   */
  readonly logDecay?: Node;
  /**
   * `parallel` (default): the whole-sequence WY form, an N × N unit lower-triangular solve,
   * O(N² d + N³ log N); `chunked`: the same solve per chunk of `chunkSize` positions, then the state
   * carried from chunk to chunk (fla's `chunk_gated_delta_rule`), O(N·C·d + N·d² + N·C² log C),
   * with about four products per chunk after the first.
   */
  readonly form?: 'parallel' | 'chunked';
  /** Positions per chunk of the chunked form: an integer in [1, 64] (default 16). */
  readonly chunkSize?: number;
  /** Also return the state after the last position (`gatedDeltaNetDecodeStep` continues it). */
  readonly returnState?: boolean;
}

/** The decode state of the gated delta rule. */
export interface GatedDeltaNetState {
  /** h = Sᵀ `[B, H, d_k, d_v]` (fla's orientation). */
  readonly values: Node;
}

/** What {@link gatedDeltaNet} builds. */
export interface AppliedGatedDeltaNet {
  /** o `[B, H, N, d_v]`. */
  readonly output: Node;
  /** The state after the last position, when asked for. */
  readonly state?: GatedDeltaNetState;
}

/**
 * Gated DeltaNet (Yang, Kautz & Hatamizadeh, ICLR 2025; the linear layers of catalog paper 82 and
 * the base of paper 109's log-linear instance): S_t = α_t S_{t−1}(I − β_t k_t k_tᵀ) + β_t v_t k_tᵀ,
 * o_t = S_t q_t, with q and k L2-normalized and q scaled by d_k^(−1/2) as fla's `chunk_gated_delta_rule`.
 * Built in its parallel form: the pseudo-values U = (I + A)⁻¹ diag(β) V (A_ts = β_t (k_t·k_s)
 * exp(c_t − c_s) on s < t, a unit lower-triangular solve by repeated squaring), then
 * O = (QKᵀ ⊙ Γ) U with Γ_ts = exp(c_t − c_s) on s ≤ t, c = cumsum(g). O(N² d + N³ log N) work:
 * a form for prefill of short sequences and for checking; decode runs on the d_k × d_v state.
 * `form: 'chunked'` does the solve per chunk of C positions and carries the state between chunks.
 *
 * @example
 * ```ts
 * const { output } = gatedDeltaNet(q, k, v, { name: 'layer.0', beta: sigmoid(b), logDecay: g });
 * const chunked = gatedDeltaNet(q, k, v, { name: 'layer.0', beta, logDecay: g, form: 'chunked', chunkSize: 16 });
 * ```
 * @throws ShapeError when an operand's shape is not the one above (static dims).
 * @throws SpecError when `chunkSize` is not an integer in [1, 64].
 */
export function gatedDeltaNet(
  query: Node,
  key: Node,
  value: Node,
  options: GatedDeltaNetOptions,
): AppliedGatedDeltaNet {
  const { beta, logDecay, name } = options;
  const sizes = checkDeltaRuleOperands({ query, key, value, beta, logDecay }, 'Gated DeltaNet', name);
  const { B, H, N } = sizes;
  const read = deltaRuleQueryKey(query, key, options);
  if (options.form === 'chunked') {
    const chunk = options.chunkSize ?? 16;
    if (!Number.isInteger(chunk) || chunk < 1 || chunk > 64)
      throw new SpecError(`Gated DeltaNet "${name}": chunkSize must be an integer in [1, 64]`, {
        block: name,
        dimension: 'chunkSize',
        expected: 'an integer in [1, 64]',
        actual: chunk,
      });
    const chunked = chunkedDeltaRule(read.query, read.key, value, beta, logDecay, sizes, chunk);
    return options.returnState === true
      ? { output: chunked.output, state: { values: chunked.state } }
      : { output: chunked.output };
  }
  const { scores, solve } = deltaRuleParts(read.query, read.key, beta, cumulativeDecay(logDecay), sizes);
  const pseudoValues = matmul(solve, mul(value, reshape(beta, [B, H, N, 1])));
  const output = matmul(scores, pseudoValues);
  if (options.returnState !== true) return { output };
  // h_N = Σ_s exp(c_{N−1} − c_s) k_s u_sᵀ.
  const survival = decayToEnd(logDecay, sizes);
  const keys = survival === undefined ? read.key : mul(read.key, survival);
  return { output, state: { values: matmul(keys, pseudoValues, { transposeA: true }) } };
}

/** Operands of {@link gatedDeltaNetDecodeStep}: one position. */
export interface GatedDeltaNetStepOperands {
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
  /** The state before position t (zeros for a new sequence). */
  readonly state: GatedDeltaNetState;
}

/** What {@link gatedDeltaNetDecodeStep} builds. */
export interface GatedDeltaNetStep {
  /** o_t `[B, H, 1, d_v]`. */
  readonly output: Node;
  /** The state after position t. */
  readonly state: GatedDeltaNetState;
}

/**
 * One Gated DeltaNet decode step on the d_k × d_v state (fla's `naive_recurrent_gated_delta_rule`
 * step): h ← α_t h, h ← h + k_t (β_t (v_t − hᵀ k_t))ᵀ, o_t = hᵀ q_t. O(d_k · d_v) whatever t.
 *
 * @example
 * ```ts
 * const state = gatedDeltaNetStateInputs(1, 4, 16, 16, 'layer.0');
 * const step = gatedDeltaNetDecodeStep({ query, key, value, beta, logDecay, state }, 'layer.0');
 * ```
 * @throws ShapeError naming the operand whose shape does not match the state.
 */
export function gatedDeltaNetDecodeStep(
  operands: GatedDeltaNetStepOperands,
  name: string,
  readout: DeltaRuleReadout = {},
): GatedDeltaNetStep {
  const { query, key, value, beta, logDecay, state } = operands;
  const [B, H, dk, dv] = state.values.shape as number[];
  if (state.values.rank !== 4 || ![B, H, dk, dv].every((dim) => typeof dim === 'number'))
    throw new ShapeError(`Gated DeltaNet decode step "${name}": state.values must be [B, H, d_k, d_v]`, {
      block: name,
      tensor: 'state.values',
      expected: '[B, H, d_k, d_v] with static dims',
      actual: `[${state.values.shape.join(', ')}]`,
    });
  checkDeltaRuleOperands({ query, key, value, beta, logDecay }, 'Gated DeltaNet decode step', name);
  checkStepShapes({ query, key, value }, [B!, H!, dk!, dv!], name);
  const read = deltaRuleQueryKey(query, key, readout);
  const decayed =
    logDecay === undefined ? state.values : mul(state.values, reshape(exp(logDecay), [B!, H!, 1, 1]));
  const error = sub(value, matmul(read.key, decayed)); // v_t − hᵀ k_t, [B, H, 1, d_v]
  const values = add(
    decayed,
    matmul(read.key, mul(error, reshape(beta, [B!, H!, 1, 1])), { transposeA: true }),
  );
  return { output: matmul(read.query, values), state: { values } };
}

/**
 * Graph input for the Gated DeltaNet decode state: `${prefix}.state` `[B, H, d_k, d_v]`.
 *
 * @example
 * ```ts
 * const state = gatedDeltaNetStateInputs(1, 4, 16, 16, 'layer.0');
 * ```
 */
export function gatedDeltaNetStateInputs(
  batch: number,
  heads: number,
  keyDim: number,
  valueDim: number,
  prefix: string,
): GatedDeltaNetState {
  return { values: input(`${prefix}.state`, [batch, heads, keyDim, valueDim]) };
}
