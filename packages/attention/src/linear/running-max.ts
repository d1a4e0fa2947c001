import {
  add,
  type Expr,
  exp,
  log,
  mapElements,
  max,
  maximum,
  min,
  type Node,
  scan,
  sub,
  sum,
  variable,
} from '@weft/ir';

/** The running-max operands of a gated linear-attention spec (see {@link runningMaxOperands}). */
export interface RunningMaxOperands {
  /** m_t = max(m₀, s_0 … s_t) `[B, H, N, F]`: the running max after each position. */
  readonly max: Node;
  /** e^(m_{t−1} − m_t) `[B, H, N, F]` in (0, 1]: rescales the state to the new max. */
  readonly gate: Node;
  /** e^(s_t − m_t) `[B, H, N, F]` in (0, 1]: the key feature at position t. */
  readonly features: Node;
  /** m after the last position `[B, H, 1, F]`: the max part of the next state. */
  readonly last: Node;
}

/**
 * Online softmax along positions (axis 2) as a gated linear-attention state: for scores s
 * `[B, H, N, F]` (one column per feature) and the max m₀ `[B, H, 1, F]` of a previous state (if
 * any), the key features e^(s_t − m_t) and gates e^(m_{t−1} − m_t) make the gated state
 * S_t = g_t S_{t−1} + e^(s_t − m_t) v_tᵀ equal Σ_{i≤t} e^(s_i − m_t) v_iᵀ, every factor in (0, 1]:
 * the state never overflows however large the scores grow (Aaren's (m, u, w) scan, Latte's
 * max-tracked latent states). m_{−1} is m₀, or without a state the smallest score of the call
 * (its gate multiplies the zero state).
 *
 * @example
 * ```ts
 * const { gate, features, last } = runningMaxOperands(scores); // scores [B, H, N, F]
 * ```
 */
export function runningMaxOperands(scores: Node, previousMax?: Node): RunningMaxOperands {
  const running = scan(scores, { axis: 2, fn: 'max' });
  const before = scan(scores, { axis: 2, fn: 'max', exclusive: true });
  const floor = previousMax ?? min(scores, 2, { keepDims: true });
  const current = previousMax === undefined ? running : maximum(running, previousMax);
  const callMax = max(scores, 2, { keepDims: true });
  return {
    max: current,
    gate: exp(sub(maximum(before, floor), current)),
    features: exp(sub(scores, current)),
    last: previousMax === undefined ? callMax : maximum(callMax, previousMax),
  };
}

/**
 * log Σ_{i≤t} e^(s_i) along positions (axis 2) of `[B, H, N, F]`, continuing a previous value
 * `[B, H, 1, F]` if given: a scan whose combine, log(e^a + e^b) = max(a, b) + log(1 + e^(−|a − b|)),
 * never exponentiates a positive number.
 *
 * @example
 * ```ts
 * const lse = logCumSumExp(keys); // [B, H, N, F]
 * ```
 */
export function logCumSumExp(scores: Node, previous?: Node): Node {
  // An explicit identity (−1e30: log(e^(−1e30) + e^b) = b): the device's scan starts from it.
  const combine = logAddExp(variable('a'), variable('b'));
  const scanned = scan(scores, { axis: 2, combine, identity: -1e30 });
  if (previous === undefined) return scanned;
  return mapElements([scanned, previous], logAddExp(variable('$0'), variable('$1')));
}

/** log(e^a + e^b) = max(a, b) + log(1 + e^(−|a − b|)). */
function logAddExp(a: Expr, b: Expr): Expr {
  return a.max(b).add(a.sub(b).apply('abs').neg().apply('exp').add(1).apply('log'));
}

/**
 * log Σ_i e^(s_i) over all positions (axis 2) of `[B, H, N, F]`, combined with a previous value
 * `[B, H, 1, F]` if given: the log-sum-exp part of the state after the call, `[B, H, 1, F]`.
 *
 * @example
 * ```ts
 * const lse = logSumExpOverPositions(keys); // [B, H, 1, F]
 * ```
 */
export function logSumExpOverPositions(scores: Node, previous?: Node): Node {
  const high = max(scores, 2, { keepDims: true });
  const total = add(high, log(sum(exp(sub(scores, high)), 2, { keepDims: true })));
  if (previous === undefined) return total;
  return mapElements([total, previous], logAddExp(variable('$0'), variable('$1')));
}
