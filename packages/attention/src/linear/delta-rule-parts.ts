import {
  add,
  cumsum,
  type Expr,
  exp,
  literal,
  mapElements,
  matmul,
  mul,
  type Node,
  reshape,
  rsqrt,
  ShapeError,
  sub,
  sum,
  variable,
} from '@weft/ir';

// The gated delta rule's conventions, from fla-org/flash-linear-attention
// `fla/ops/gated_delta_rule/naive.py` (`naive_recurrent_gated_delta_rule`) and `fla/layers/gated_deltanet.py`:
// the state h `[d_k, d_v]` evolves h ← exp(g_t) h, h ← h + k_t (β_t (v_t − hᵀ k_t))ᵀ, and reads
// o_t = hᵀ (scale · q_t) with scale = d_k^(−1/2); the layer L2-normalizes q and k in the kernel
// (`use_qk_l2norm_in_kernel`, x · rsqrt(Σ x² + 1e-6)). In the paper's column form this is
// S_t = α_t S_{t−1} (I − β_t k_t k_tᵀ) + β_t v_t k_tᵀ with S = hᵀ and α_t = exp(g_t).

/** How the gated delta rule reads q and k (shared by the parallel forms and the decode steps). */
export interface DeltaRuleReadout {
  /** L2-normalize q and k over d_k as Gated DeltaNet does (default true). */
  readonly normalizeQueryKey?: boolean;
  /** Multiplies q after normalization (default d_k^(−1/2), as fla's kernels). */
  readonly scale?: number;
}

/** Static sizes of a delta-rule call. */
export interface DeltaRuleSizes {
  readonly B: number;
  readonly H: number;
  readonly N: number;
  readonly dk: number;
  readonly dv: number;
}

/** fla's `l2norm` epsilon: x · rsqrt(Σ x² + 1e-6). */
const L2_EPSILON = 1e-6;

/** q (normalized, scaled) and k (normalized) as the recurrence reads them. */
export function deltaRuleQueryKey(
  query: Node,
  key: Node,
  readout: DeltaRuleReadout,
): { readonly query: Node; readonly key: Node } {
  const dk = query.shape[query.rank - 1] as number;
  const normalize = (x: Node) =>
    readout.normalizeQueryKey === false
      ? x
      : mul(x, rsqrt(add(sum(mul(x, x), x.rank - 1, { keepDims: true }), L2_EPSILON)));
  return { query: mul(normalize(query), readout.scale ?? 1 / Math.sqrt(dk)), key: normalize(key) };
}

/**
 * The pieces of the parallel (quadratic) form, c = cumsum(g):
 * - `scores` (QKᵀ ⊙ Γ) `[B, H, N, N]`, Γ_ts = exp(c_t − c_s) on s ≤ t (1 on the diagonal), else 0;
 * - `solve` T = (I + A)⁻¹ `[B, H, N, N]`, A_ts = β_t (k_t·k_s) exp(c_t − c_s) on s < t, else 0,
 *   so that the pseudo-values U = T diag(β) V satisfy u_t = β_t (v_t − Σ_{s<t} Γ_ts (k_t·k_s) u_s)
 *   and S_t = Σ_{s≤t} Γ_ts u_s k_sᵀ (the WY form of the gated delta rule).
 * Every decay factor is a segment sum ≤ 0 (min(·, 0) keeps exp finite above the diagonal).
 */
export function deltaRuleParts(
  query: Node,
  key: Node,
  beta: Node,
  cumulative: Node | undefined,
  { B, H, N }: DeltaRuleSizes,
): { readonly scores: Node; readonly solve: Node } {
  const t = variable('i2', 'i32');
  const s = variable('i3', 'i32');
  const decayed = (body: Expr, first: number) =>
    body.mul(
      variable(`$${first}`)
        .sub(variable(`$${first + 1}`))
        .min(0)
        .apply('exp'),
    );
  const rows = cumulative && reshape(cumulative, [B, H, N, 1]);
  const columns = cumulative && reshape(cumulative, [B, H, 1, N]);
  const qk = matmul(query, key, { transposeB: true });
  const scores =
    rows === undefined || columns === undefined
      ? mapElements([qk], s.le(t).select(variable('$0'), 0))
      : mapElements([qk, rows, columns], s.le(t).select(decayed(variable('$0'), 1), 0));
  const kk = matmul(key, key, { transposeB: true });
  const betaRows = reshape(beta, [B, H, N, 1]);
  const strict: Expr = variable('$0').mul(variable('$1'));
  const lower =
    rows === undefined || columns === undefined
      ? mapElements([kk, betaRows], s.lt(t).select(strict, 0))
      : mapElements([kk, betaRows, rows, columns], s.lt(t).select(decayed(strict, 2), 0));
  return { scores, solve: unitLowerInverse(lower, N) };
}

/**
 * (I + A)⁻¹ for A strictly lower triangular `[…, N, N]` (nilpotent, A^N = 0), as graph ops:
 * Σ_{m<N} (−A)^m = (I − A)(I + A²)(I + A⁴)⋯(I + A^(2^(p−1))) with 2^p ≥ N — the forward
 * substitution of the unit lower-triangular system in ⌈log2 N⌉ − 1 squarings and as many products.
 * The factors are polynomials in A, so they commute; each power keeps A's decay factors
 * (products of segment sums) and its zero upper triangle.
 */
export function unitLowerInverse(lower: Node, N: number): Node {
  const identity = literal(
    Array.from({ length: N * N }, (_, index) => (index % (N + 1) === 0 ? 1 : 0)),
    [N, N],
  );
  let inverse = sub(identity, lower);
  let power = lower;
  for (let span = 2; span < N; span *= 2) {
    power = matmul(power, power);
    inverse = add(inverse, matmul(inverse, power));
  }
  return inverse;
}

/** c = cumsum(g) along the positions, or undefined without a decay. */
export function cumulativeDecay(logDecay: Node | undefined): Node | undefined {
  return logDecay === undefined ? undefined : cumsum(logDecay, 2);
}

/**
 * exp(c_{N−1} − c_s) `[B, H, N, 1]` (an exclusive reverse cumsum of g, each factor ≤ 1): how much
 * of position s's write survives to the end of the prefix; 1 without a decay.
 */
export function decayToEnd(logDecay: Node | undefined, { B, H, N }: DeltaRuleSizes): Node | undefined {
  return logDecay === undefined
    ? undefined
    : reshape(exp(cumsum(logDecay, 2, { exclusive: true, reverse: true })), [B, H, N, 1]);
}

/** Checks q, k `[B, H, N, d_k]`, v `[B, H, N, d_v]`, β and g `[B, H, N]` (static dims). */
export function checkDeltaRuleOperands(
  operands: {
    readonly query: Node;
    readonly key: Node;
    readonly value: Node;
    readonly beta: Node;
    readonly logDecay?: Node | undefined;
  },
  what: string,
  name: string,
): DeltaRuleSizes {
  const { query, key, value, beta, logDecay } = operands;
  const fail = (tensor: string, expected: string, actual: Node) =>
    new ShapeError(`${what} "${name}": ${tensor} must be ${expected}`, {
      block: name,
      tensor,
      expected,
      actual: `[${actual.shape.join(', ')}]`,
    });
  const dims = (x: Node) => x.shape.map((dim) => (typeof dim === 'number' ? dim : Number.NaN));
  const [B, H, N, dk] = dims(query);
  if (query.rank !== 4 || ![B, H, N, dk].every(Number.isFinite))
    throw fail('query', '[B, H, N, d_k] with static dims', query);
  const same = (x: Node, expected: readonly number[]) =>
    x.rank === expected.length && dims(x).every((dim, axis) => dim === expected[axis]);
  if (!same(key, [B!, H!, N!, dk!])) throw fail('key', `[${B}, ${H}, ${N}, ${dk}] like the query`, key);
  const dv = dims(value)[3]!;
  if (!same(value, [B!, H!, N!, dv]) || !Number.isFinite(dv))
    throw fail('value', `[${B}, ${H}, ${N}, d_v]`, value);
  if (!same(beta, [B!, H!, N!])) throw fail('beta', `[${B}, ${H}, ${N}]`, beta);
  if (logDecay !== undefined && !same(logDecay, [B!, H!, N!]))
    throw fail('logDecay', `[${B}, ${H}, ${N}]`, logDecay);
  return { B: B!, H: H!, N: N!, dk: dk!, dv };
}

/** Checks a decode step's q, k `[B, H, 1, d_k]` and v `[B, H, 1, d_v]` against the state's dims. */
export function checkStepShapes(
  operands: { readonly query: Node; readonly key: Node; readonly value: Node },
  [B, H, dk, dv]: readonly number[],
  name: string,
): void {
  for (const [tensor, x, width] of [
    ['query', operands.query, dk],
    ['key', operands.key, dk],
    ['value', operands.value, dv],
  ] as const) {
    const expected = [B, H, 1, width];
    if (x.rank !== 4 || !x.shape.every((dim, axis) => dim === expected[axis]))
      throw new ShapeError(
        `decode step "${name}": ${tensor} must be [${expected.join(', ')}] (the state's dims)`,
        { block: name, tensor, expected: `[${expected.join(', ')}]`, actual: `[${x.shape.join(', ')}]` },
      );
  }
}
