import {
  add,
  concat,
  cumsum,
  type Expr,
  exp,
  full,
  mapElements,
  matmul,
  mul,
  type Node,
  pad,
  reshape,
  slice,
  sub,
  variable,
} from '@weft/ir';
import { type DeltaRuleSizes, unitLowerInverse } from './delta-rule-parts.js';

// The chunked (WY/UT) form of the gated delta rule, as fla-org/flash-linear-attention's
// `fla/ops/gated_delta_rule/chunk.py` (`chunk_gated_delta_rule_fwd`) computes it, per chunk of C
// positions with the state h `[d_k, d_v]` entering the chunk and c the cumsum of g inside it
// (`chunk_local_cumsum`):
//   A_ts = β_t (k_t·k_s) exp(c_t − c_s) on s < t (`chunk_scaled_dot_kkt_fwd`), T = (I + A)⁻¹ (`solve_tril`);
//   W = T (β ⊙ exp(c) ⊙ K), U = T (β ⊙ V) (`recompute_w_u_fwd`);
//   U' = U − W h, h ← exp(c_{C−1}) h + (K ⊙ exp(c_{C−1} − c))ᵀ U' (`chunk_gated_delta_rule_fwd_h`);
//   O = (exp(c) ⊙ Q) h + (QKᵀ ⊙ Γ) U', Γ_ts = exp(c_t − c_s) on s ≤ t (`chunk_fwd_o`).
// Derivation: with h the state before the chunk, the delta at t is u'_t = β_t (v_t − exp(c_t) hᵀ k_t
// − Σ_{s<t} exp(c_t − c_s) (k_t·k_s) u'_s), i.e. (I + A) U' = β ⊙ (V − exp(c) ⊙ K h).

/** The per-chunk pieces of the gated delta rule's chunked form, all chunks at once (`[B, H, nc, C, …]`). */
export interface DeltaRuleChunks {
  /** Positions per chunk. */
  readonly C: number;
  /** Chunks: ⌈N / C⌉ (the last padded). */
  readonly nc: number;
  /** (QKᵀ ⊙ Γ) inside each chunk `[B, H, nc, C, C]`, Γ_ts = exp(c_t − c_s) on s ≤ t, else 0. */
  readonly scores: Node;
  /** T = (I + A)⁻¹ `[B, H, nc, C, C]`. */
  readonly solve: Node;
  /** β ⊙ V `[B, H, nc, C, d_v]`. */
  readonly betaValues: Node;
  /** U = T (β ⊙ V) `[B, H, nc, C, d_v]`: the chunk's own deltas from a zero state. */
  readonly pseudoValues: Node;
  /** W = T (β ⊙ exp(c) ⊙ K) `[B, H, nc, C, d_k]`: the deltas a state h entering the chunk adds, −W h. */
  readonly weights: Node;
  /** exp(c) ⊙ Q `[B, H, nc, C, d_k]`: how queries read the entering state directly. */
  readonly readQueries: Node;
  /** K ⊙ exp(c_{C−1} − c) `[B, H, nc, C, d_k]`: the keys that write the deltas into the exiting state. */
  readonly writeKeys: Node;
  /** exp(c_{C−1}) `[B, H, nc, 1, 1]`, the entering state's decay over the chunk; undefined for α = 1. */
  readonly chunkDecay?: Node;
}

/**
 * The intra-chunk pieces of the chunked form (q, k already read: normalized, q scaled) for chunks
 * of `C` positions; positions past N pad with k = 0, β = 0, g = 0, which write nothing and keep
 * the state (T is the identity there). O(N·C·d + N·C² log C) work.
 */
export function deltaRuleChunks(
  query: Node,
  key: Node,
  value: Node,
  beta: Node,
  logDecay: Node | undefined,
  { B, H, N, dk, dv }: DeltaRuleSizes,
  C: number,
): DeltaRuleChunks {
  const nc = Math.ceil(N / C);
  const rows = (x: Node, width: number) => reshape(padPositions(x, nc * C), [B, H, nc, C, width]);
  const q = rows(query, dk);
  const k = rows(key, dk);
  const betaRows = rows(beta, 1);
  const c = logDecay === undefined ? undefined : cumsum(rows(logDecay, 1), 3); // [B, H, nc, C, 1]
  const cColumns = c && reshape(c, [B, H, nc, 1, C]);
  const t = variable('i3', 'i32');
  const s = variable('i4', 'i32');
  // exp(c_t − c_s), min(·, 0) keeping exp finite above the diagonal where the mask drops it.
  const decayed = (body: Expr, first: number) =>
    body.mul(
      variable(`$${first}`)
        .sub(variable(`$${first + 1}`))
        .min(0)
        .apply('exp'),
    );
  const masked = (product: Node, extra: Node[], body: Expr, strict: boolean) => {
    const keep = strict ? s.lt(t) : s.le(t);
    return c === undefined || cColumns === undefined
      ? mapElements([product, ...extra], keep.select(body, 0))
      : mapElements([product, ...extra, c, cColumns], keep.select(decayed(body, 1 + extra.length), 0));
  };
  const scores = masked(matmul(q, k, { transposeB: true }), [], variable('$0'), false);
  const lower = masked(
    matmul(k, k, { transposeB: true }),
    [betaRows],
    variable('$0').mul(variable('$1')),
    true,
  );
  const solve = unitLowerInverse(lower, C);
  const betaKeys = mul(k, betaRows);
  const betaValues = mul(rows(value, dv), betaRows);
  const pseudoValues = matmul(solve, betaValues);
  const weights = matmul(solve, c === undefined ? betaKeys : mul(betaKeys, exp(c)));
  const readQueries = c === undefined ? q : mul(q, exp(c));
  if (c === undefined)
    return { C, nc, scores, solve, betaValues, pseudoValues, weights, readQueries, writeKeys: k };
  const last = slice(c, [0, 0, 0, C - 1], [B, H, nc, C]); // c_{C−1} `[B, H, nc, 1, 1]`
  const writeKeys = mul(k, exp(sub(last, c)));
  return {
    C,
    nc,
    scores,
    solve,
    betaValues,
    pseudoValues,
    weights,
    readQueries,
    writeKeys,
    chunkDecay: exp(last),
  };
}

/** Chunk `index` of `[B, H, nc, …]`, kept as a size-1 axis. */
export function chunkAt(x: Node, index: number): Node {
  return slice(x, [0, 0, index], [x.shape[0] as number, x.shape[1] as number, index + 1]);
}

/**
 * O `[B, H, N, d_v]` and the state after the last position h `[B, H, d_k, d_v]` of the gated delta
 * rule by chunks of C positions (q, k already read: normalized, q scaled). Everything inside a chunk
 * (the C × C solves, W, U, the masked scores) is built for all chunks at once; the state then passes
 * through the chunks in an unrolled loop of ⌈N/C⌉ steps, two products each, and the outputs of all
 * chunks are two batched products. Positions past N pad
 * with k = 0, β = 0, g = 0: they write nothing and keep the state. O(N·C·d + N·d² + N·C² log C) work.
 */
export function chunkedDeltaRule(
  query: Node,
  key: Node,
  value: Node,
  beta: Node,
  logDecay: Node | undefined,
  sizes: DeltaRuleSizes,
  chunk: number,
): { readonly output: Node; readonly state: Node } {
  const { B, H, N, dk, dv } = sizes;
  const parts = deltaRuleChunks(query, key, value, beta, logDecay, sizes, Math.min(chunk, N));
  const { C, nc, scores, pseudoValues, weights, readQueries, writeKeys, chunkDecay } = parts;
  const at = chunkAt;
  // The loop carries only what the next chunk needs (U' and h); the outputs of all chunks are
  // then two batched products, O = (QKᵀ ⊙ Γ) U' + (exp(c) ⊙ Q) h_before.
  let state = full(0, [B, H, 1, dk, dv]); // h before chunk 0
  const before = [state];
  const deltas = [at(pseudoValues, 0)]; // U' = U where h = 0
  for (let index = 0; index < nc - 1; index++) {
    const kept = chunkDecay === undefined ? state : mul(state, at(chunkDecay, index));
    state = add(kept, matmul(at(writeKeys, index), deltas[index]!, { transposeA: true }));
    before.push(state);
    deltas.push(sub(at(pseudoValues, index + 1), matmul(at(weights, index + 1), state)));
  }
  const finalKept = chunkDecay === undefined ? state : mul(state, at(chunkDecay, nc - 1));
  const finalState = add(finalKept, matmul(at(writeKeys, nc - 1), deltas[nc - 1]!, { transposeA: true }));
  const stack = (pieces: Node[]) => (pieces.length === 1 ? pieces[0]! : concat(pieces, 2));
  const all = add(matmul(scores, stack(deltas)), matmul(readQueries, stack(before)));
  const output = reshape(all, [B, H, nc * C, dv]);
  return {
    output: nc * C === N ? output : slice(output, [0, 0, 0], [B, H, N]),
    state: reshape(finalState, [B, H, dk, dv]),
  };
}

/** Zero-pads axis 2 (positions) of `[B, H, N, …]` to `length`. */
export function padPositions(x: Node, length: number): Node {
  const extra = length - (x.shape[2] as number);
  if (extra === 0) return x;
  const zeros = x.shape.map(() => 0);
  return pad(
    x,
    zeros,
    zeros.map((_, axis) => (axis === 2 ? extra : 0)),
  );
}
