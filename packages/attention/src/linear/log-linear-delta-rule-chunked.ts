import { add, concat, full, literal, matmul, mul, type Node, reshape, slice, sub } from '@weft/ir';
import { chunkAt, type DeltaRuleChunks, padPositions } from './delta-rule-chunked.js';
import type { DeltaRuleSizes } from './delta-rule-parts.js';
import { fenwickLevelCount, fenwickLevelWeights } from './fenwick-levels.js';
import type { LogLinearState } from './log-linear-forms.js';

// The chunked form of log-linear Gated DeltaNet (catalog paper 109), after the official
// `hattention` chunked kernels (HanGuo97/log-linear-attention): chunks of C = 2^b positions aligned
// at multiples of C, so that query t and key s of the same chunk sit at Fenwick level
// ℓ(t, s) = bitlength(t ⊕ s) ≤ b, and a key of an earlier chunk S at level b + bitlength(J ⊕ S)
// for query chunk J: the chunk-level Fenwick tree of the chunk indices, shifted by b.
// - Inside a chunk: P = (QKᵀ ⊙ Γ) T diag(β), T = (I + A)⁻¹ the C × C WY solve, masked by λ_t^(ℓ(t,s))
//   (`chunk_fwd_kernel_o_intra`): O_intra = ((QKᵀ ⊙ Γ) T ⊙ H^λ)(β ⊙ V).
// - Across chunks: one d_k × d_v delta-rule state per chunk level ℓ' ≥ 1, holding the writes of the
//   ℓ'-th bucket of the chunk prefix carried to the chunk's start. Every chunk's transition is linear
//   in the state, h ↦ exp(c_{C−1}) h − K̂ᵀ (W h) (K̂ = K ⊙ exp(c_{C−1} − c), W = T (β ⊙ exp(c) ⊙ K)),
//   so each level takes it whole; a query reads level ℓ' through the chunk's transitions up to t,
//   λ_t^(b+ℓ') ((exp(c) ⊙ Q − (QKᵀ ⊙ Γ) W) h^(ℓ'))_t. After chunk J the levels merge by the binary
//   carry of J + 1 (as the Fenwick decode step), and the chunk's own writes K̂ᵀ U enter there.

/** Sizes of the chunked log-linear delta rule: the delta rule's plus λ's columns L. */
export interface LogLinearDeltaRuleSizes extends DeltaRuleSizes {
  readonly L: number;
}

/**
 * O `[B, H, N, d_v]` of log-linear Gated DeltaNet from the intra-chunk pieces (`deltaRuleChunks`
 * with C a power of two, ≤ 2^(⌈log2 N⌉)) and λ `[B, H, N, L]`; with `returnState`, also the
 * Fenwick decode state after the last position (the parallel form's `state`). The level states pass
 * through the chunks in an unrolled loop of ⌈N/C⌉ − 1 steps, three small products each; the outputs
 * of all chunks are two batched products. O(N·C·d + N·d² log(N/C) + N·C² log C) work.
 */
export function chunkedLogLinearDeltaRule(
  parts: DeltaRuleChunks,
  lambda: Node,
  sizes: LogLinearDeltaRuleSizes,
  returnState: boolean,
): { readonly output: Node; readonly state?: LogLinearState } {
  const { B, H, N, dk, dv } = sizes;
  const { C, nc, scores, solve, betaValues, pseudoValues, weights, readQueries, writeKeys, chunkDecay } =
    parts;
  const lambdaRows = padPositions(lambda, nc * C);
  const intraLevels = fenwickLevelWeights(lambdaRows, [B, H, nc, C, C], nc * C);
  let all = matmul(mul(matmul(scores, solve), intraLevels), betaValues); // [B, H, nc, C, d_v]

  const levels = fenwickLevelCount(nc) - 1; // chunk levels 1 … levels
  const base = Math.log2(C);
  // h ↦ exp(c_{C−1}) h − K̂ᵀ (W h) of chunk `index` on level states `[B, H, 1, levels, d_k, d_v]`.
  const transition = (states: Node, index: number) => {
    const perLevel = (x: Node, width: number) => reshape(chunkAt(x, index), [B, H, 1, 1, C, width]);
    const corrections = matmul(perLevel(weights, dk), states); // W h `[B, H, 1, levels, C, d_v]`
    const erased = matmul(perLevel(writeKeys, dk), corrections, { transposeA: true });
    const kept =
      chunkDecay === undefined
        ? states
        : mul(states, reshape(chunkAt(chunkDecay, index), [B, H, 1, 1, 1, 1]));
    return sub(kept, erased);
  };
  let before: Node[] = [];
  let lastStates: Node | undefined;
  if (levels > 0) {
    // Every chunk's own writes at its end, K̂ᵀ U `[B, H, nc, d_k, d_v]`.
    const writes = reshape(matmul(writeKeys, pseudoValues, { transposeA: true }), [B, H, nc, 1, dk, dv]);
    let states = full(0, [B, H, 1, levels, dk, dv]);
    before = [states];
    for (let index = 0; index < nc - 1; index++) {
      const carry = chunkCarry(index + 1, levels);
      const own = mul(chunkAt(writes, index), literal(carry.entering, [1, 1, 1, levels, 1, 1]));
      if (index === 0) states = own;
      else {
        const flat = reshape(transition(states, index), [B, H, levels, dk * dv]);
        const merged = matmul(literal(carry.move, [1, 1, levels, levels]), flat);
        states = add(reshape(merged, [B, H, 1, levels, dk, dv]), own);
      }
      before.push(states);
    }
    lastStates = states;
    // Query t of chunk J reads level ℓ' as λ_t^(b+ℓ') ((exp(c) ⊙ Q − (QKᵀ ⊙ Γ) W) h^(ℓ'))_t: the
    // levels and d_k fold into one contraction of width levels · d_k.
    const reads = sub(readQueries, matmul(scores, weights)); // [B, H, nc, C, d_k]
    const levelColumns = slice(lambdaRows, [0, 0, 0, base + 1], [B, H, nc * C, base + 1 + levels]);
    const weighted = mul(
      reshape(levelColumns, [B, H, nc, C, levels, 1]),
      reshape(reads, [B, H, nc, C, 1, dk]),
    );
    const stacked = before.length === 1 ? before[0]! : concat(before, 2);
    all = add(
      all,
      matmul(reshape(weighted, [B, H, nc, C, levels * dk]), reshape(stacked, [B, H, nc, levels * dk, dv])),
    );
  }
  const flatOutput = reshape(all, [B, H, nc * C, dv]);
  const output = nc * C === N ? flatOutput : slice(flatOutput, [0, 0, 0], [B, H, N]);
  if (!returnState) return { output };
  return { output, state: finalState(parts, sizes, lastStates && transition(lastStates, nc - 1)) };
}

/**
 * The Fenwick decode state at N from the chunk-level states carried through the last chunk
 * (`carried`, `[B, H, 1, levels, d_k, d_v]`, absent for one chunk) and the last chunk's own writes:
 * with p = (nc − 1)·C the last chunk's start, chunk level ℓ' (position level b + ℓ') moves to level
 * max(b + ℓ', bitlength(N ⊕ p)), and the write of position s, carried to N by T, joins level
 * bitlength(N ⊕ s); levels past the state's L − 1 are dropped, as the parallel form drops them.
 */
function finalState(
  parts: DeltaRuleChunks,
  { B, H, N, dk, dv, L }: LogLinearDeltaRuleSizes,
  carried: Node | undefined,
): LogLinearState {
  const { C, nc, solve, betaValues, writeKeys } = parts;
  const stateLevels = L - 1;
  const start = (nc - 1) * C;
  const bitLength = (x: number) => (x === 0 ? 0 : Math.floor(Math.log2(x)) + 1);
  const join = new Array<number>(stateLevels * C).fill(0);
  for (let i = 0; i < C && start + i < N; i++) {
    const level = bitLength(N ^ (start + i));
    if (level <= stateLevels) join[(level - 1) * C + i] = 1;
  }
  const last = (x: Node, width: number) => reshape(chunkAt(x, nc - 1), [B, H, C, width]);
  // Position s's write at the end of the chunk is k̃_s (β_s v_s)ᵀ with K̃ = Tᵀ K̂.
  const carriedKeys = matmul(last(solve, C), last(writeKeys, dk), { transposeA: true });
  const joined = mul(reshape(carriedKeys, [B, H, 1, C, dk]), literal(join, [1, 1, stateLevels, C, 1]));
  let levels = matmul(joined, reshape(last(betaValues, dv), [B, H, 1, C, dv]), { transposeA: true });
  if (carried !== undefined) {
    const chunkLevels = carried.shape[3] as number;
    const shift = bitLength(N ^ start);
    const move = new Array<number>(stateLevels * chunkLevels).fill(0);
    for (let level = 1; level <= chunkLevels; level++) {
      const to = Math.max(Math.log2(C) + level, shift);
      if (to <= stateLevels) move[(to - 1) * chunkLevels + level - 1] = 1;
    }
    const flat = reshape(carried, [B, H, chunkLevels, dk * dv]);
    const moved = matmul(literal(move, [1, 1, stateLevels, chunkLevels]), flat);
    levels = add(levels, reshape(moved, [B, H, stateLevels, dk, dv]));
  }
  return { levels, position: full(N, [1]) };
}

/**
 * The binary carry at chunk index `next` (= J + 1, after chunk J) on `levels` chunk-level states:
 * with j the lowest set bit of `next`, levels 1 … j merge into level j + 1, which also receives
 * chunk J's own writes (`entering`); the levels above keep. `move` is row-major `[levels, levels]`
 * (to, from).
 */
function chunkCarry(next: number, levels: number): { move: number[]; entering: number[] } {
  const target = Math.log2(next & -next); // 0-based index of level j + 1
  const move = new Array<number>(levels * levels).fill(0);
  for (let from = 0; from < levels; from++) {
    const to = Math.max(from, target);
    move[to * levels + from] = 1;
  }
  const entering = Array.from({ length: levels }, (_, level) => (level === target ? 1 : 0));
  return { move, entering };
}
