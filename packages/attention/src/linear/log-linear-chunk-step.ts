import {
  add,
  constant,
  cumsum,
  type Expr,
  exp,
  full,
  gather,
  mapElements,
  matmul,
  mul,
  type Node,
  reshape,
  ShapeError,
  sum,
  variable,
} from '@weft/ir';
import { fenwickLevelExpr } from './fenwick-levels.js';
import type { LogLinearState } from './log-linear-attention.js';
import type { LogLinearStep } from './log-linear-decode.js';

/** Operands of {@link logLinearChunkStep}: a chunk of C positions after the state's. */
export interface LogLinearChunkOperands {
  /** q `[B, H, C, d_k]`. */
  readonly query: Node;
  /** k `[B, H, C, d_k]`. */
  readonly key: Node;
  /** v `[B, H, C, d_v]`. */
  readonly value: Node;
  /** λ `[B, H, C, L + 1]` (levels 0 … L, L the state's levels). */
  readonly levelWeights: Node;
  /** a `[B, H, C]` (Mamba-2's log decay), or omitted for A = 1. */
  readonly logDecay?: Node;
  /** The state before the chunk (zeros and position 0 for a new sequence). */
  readonly state: LogLinearState;
  /**
   * How many of the C positions are real, `[1]` i32 (a step of fewer tokens than the chunk holds);
   * the rest are padding that neither the outputs of real positions nor the next state read.
   * Default: all C.
   */
  readonly count?: Node;
}

interface ChunkSizes {
  readonly B: number;
  readonly H: number;
  readonly C: number;
  readonly L: number;
  readonly dk: number;
  readonly dv: number;
}

/**
 * Log-linear attention (catalog paper 109, the Mamba-2 instance) over a chunk of C positions that
 * continues a Fenwick decode state at position p: the decode step of {@link logLinearDecodeStep}
 * for C positions at once (a prefill from the empty state, or a step of several tokens). Query
 * t = p + i reads the new keys p + j ≤ t at their level ℓ(t, p + j) (one masked C × C product)
 * and each state level ℓ at level max(ℓ, bitlength(t ⊕ p)) (the levels below the highest bit in
 * which t and p differ merge into that bit's bucket), decayed by exp(Σ_{r=p}^{t} a_r). The next
 * state at m = p + count regroups the same way: state level ℓ moves to max(ℓ, bitlength(m ⊕ p)),
 * new key s joins level bitlength(m ⊕ s), a level beyond L is dropped (m past the 2^L positions the
 * state serves). Cost O(C² d + C · L · d_k · d_v), whatever p.
 *
 * @example
 * ```ts
 * const state = logLinearStateInputs(1, 4, 4, 16, 16, 'layer.0');
 * const chunk = logLinearChunkStep({ query, key, value, levelWeights, logDecay, state }, 'layer.0');
 * ```
 * @throws ShapeError naming the operand whose shape does not match the state and the chunk.
 */
export function logLinearChunkStep(operands: LogLinearChunkOperands, name: string): LogLinearStep {
  const s = checkChunkOperands(operands, name);
  const { B, H, C, L, dk, dv } = s;
  const { query, value, levelWeights, state } = operands;
  const count = operands.count ?? full(C, [1], 'i32');
  const p = (operand: number): Expr => variable(`$${operand}`).cast('i32');
  const n = (operand: number): Expr => variable(`$${operand}`, 'i32');
  const scalar = (x: Node, rank: number) =>
    reshape(
      x,
      Array.from({ length: rank }, () => 1),
    );
  const i32 = (value: number) => constant(value, 'i32');
  const position = state.position;

  // Padding rows (j ≥ count) get k = 0 and a = 0: they add nothing and decay nothing.
  const valid = mapElements(
    [full(0, [1, 1, C, 1], 'i32'), scalar(count, 4)],
    variable('i2', 'i32').lt(n(1)).select(1, 0),
  );
  const key = mul(operands.key, valid);
  const a = operands.logDecay === undefined ? undefined : mul(operands.logDecay, reshape(valid, [1, 1, C]));
  // g_i = Σ_{r ≤ i} a_r: the decay from the state's last position p − 1 to p + i.
  const g = a === undefined ? undefined : cumsum(a, 2);

  // Inside the chunk: λ_i^(ℓ(p+i, p+j)) exp(g_i − g_j) (q_i · k_j) on j ≤ i.
  const t = variable('i2', 'i32');
  const column = variable('i3', 'i32');
  const intraLevels = gatherLevels(
    levelWeights,
    [B, H, C, C],
    s,
    (at) => fenwickLevelExpr(at.add(t), at.add(column), L + 1),
    position,
    2,
  );
  const scores = matmul(query, key, { transposeB: true });
  const operandsIntra = [scores, intraLevels];
  let body = variable('$0').mul(variable('$1'));
  if (g !== undefined) {
    operandsIntra.push(reshape(g, [B, H, C, 1]), reshape(g, [B, H, 1, C]));
    body = body.mul(variable('$2').sub(variable('$3')).min(0).apply('exp'));
  }
  const intra = matmul(mapElements(operandsIntra, column.le(t).select(body, 0)), value);

  // From the state: Σ_ℓ λ_i^(max(ℓ, bitlength((p+i) ⊕ p))) exp(g_i) q_iᵀ S^(ℓ).
  const level = variable('i2', 'i32').add(i32(1));
  const query5 = reshape(query, [B, H, 1, C, dk]);
  const readouts = matmul(query5, state.levels); // [B, H, L, C, d_v]
  let stateWeights = gatherLevels(
    levelWeights,
    [B, H, L, C],
    s,
    (at) => fenwickLevelExpr(at.add(variable('i3', 'i32')), at, L + 1).max(level),
    position,
    3,
  );
  if (g !== undefined) stateWeights = mul(stateWeights, exp(reshape(g, [B, H, 1, C])));
  const past = reshape(sum(mul(readouts, reshape(stateWeights, [B, H, L, C, 1])), 2), [B, H, C, dv]);
  const output = add(intra, past);

  // The next state at m = p + count: old level ℓ → max(ℓ, bitlength(m ⊕ p)); new key j → bitlength(m ⊕ (p + j)).
  const m = p(1).add(n(2));
  const moveBody = fenwickLevelExpr(m, p(1), L + 2)
    .max(variable('i1', 'i32').add(i32(1)))
    .eq(variable('i0', 'i32').add(i32(1)))
    .select(1, 0);
  const move = mapElements([full(0, [L, L], 'i32'), scalar(position, 2), scalar(count, 2)], moveBody);
  const flat = reshape(state.levels, [B, H, L, dk * dv]);
  let carried = reshape(matmul(reshape(move, [1, 1, L, L]), flat), [B, H, L, dk, dv]);
  const joinBody = variable('i3', 'i32')
    .lt(n(2))
    .and(fenwickLevelExpr(m, p(1).add(variable('i3', 'i32')), L + 2).eq(variable('i2', 'i32').add(i32(1))))
    .select(1, 0);
  let join = mapElements([full(0, [1, 1, L, C, 1], 'i32'), scalar(position, 5), scalar(count, 5)], joinBody);
  if (a !== undefined) {
    // exp(c_{m−1} − c_s) = exp(Σ_{r > s} a_r) inside the chunk (padding adds 0); the state decays by exp(g_last).
    const after = cumsum(a, 2, { exclusive: true, reverse: true });
    join = mul(join, reshape(exp(after), [B, H, 1, C, 1]));
    const total = sum(a, 2, { keepDims: true });
    carried = mul(carried, reshape(exp(total), [B, H, 1, 1, 1]));
  }
  const fresh = matmul(mul(reshape(key, [B, H, 1, C, dk]), join), reshape(value, [B, H, 1, C, dv]), {
    transposeA: true,
  });
  const positionNext = mapElements([position, count], variable('$0').add(variable('$1', 'i32').cast('f32')));
  return { output, state: { levels: add(carried, fresh), position: positionNext } };
}

/**
 * λ gathered over `shape` `[B, H, x, y]`: at (b, h, i2, i3) the level `levelOf(p)` (an i32 Expr of
 * the state's position p and the index variables) of row `i{rowAxis}` of λ `[B, H, C, L + 1]`,
 * clamped to L (padding rows may ask for more).
 */
function gatherLevels(
  lambda: Node,
  shape: readonly number[],
  s: ChunkSizes,
  levelOf: (p: Expr) => Expr,
  position: Node,
  rowAxis: 2 | 3,
): Node {
  const i = (axis: number) => variable(`i${axis}`, 'i32');
  const c = (value: number) => constant(value, 'i32');
  const p = variable('$1').cast('i32');
  const row = i(0).mul(c(s.H)).add(i(1)).mul(c(s.C)).add(i(rowAxis));
  const index = row.mul(c(s.L + 1)).add(levelOf(p).min(c(s.L)));
  const indices = mapElements([full(0, shape, 'i32'), reshape(position, [1, 1, 1, 1])], index);
  return gather(reshape(lambda, [s.B * s.H * s.C * (s.L + 1)]), indices, 0);
}

function checkChunkOperands(operands: LogLinearChunkOperands, name: string): ChunkSizes {
  const { query, key, value, levelWeights, logDecay, state, count } = operands;
  const fail = (tensor: string, expected: string, actual: Node) =>
    new ShapeError(`log-linear chunk step "${name}": ${tensor} must be ${expected}`, {
      block: name,
      tensor,
      expected,
      actual: `[${actual.shape.join(', ')}]`,
    });
  const same = (x: Node, shape: readonly number[]) =>
    x.rank === shape.length && x.shape.every((dim, axis) => dim === shape[axis]);
  const [B, H, L, dk, dv] = state.levels.shape as number[];
  if (state.levels.rank !== 5 || ![B, H, L, dk, dv].every((dim) => typeof dim === 'number'))
    throw fail('state.levels', '[B, H, L, d_k, d_v] with static dims', state.levels);
  if (!same(state.position, [1])) throw fail('state.position', '[1]', state.position);
  const C = query.shape[2];
  if (typeof C !== 'number' || !same(query, [B!, H!, C, dk!]))
    throw fail('query', `[${B}, ${H}, C, ${dk}] with a static C`, query);
  if (!same(key, [B!, H!, C, dk!])) throw fail('key', `[${B}, ${H}, ${C}, ${dk}]`, key);
  if (!same(value, [B!, H!, C, dv!])) throw fail('value', `[${B}, ${H}, ${C}, ${dv}]`, value);
  if (!same(levelWeights, [B!, H!, C, L! + 1]))
    throw fail('levelWeights', `[${B}, ${H}, ${C}, ${L! + 1}] (the state's levels + level 0)`, levelWeights);
  if (logDecay !== undefined && !same(logDecay, [B!, H!, C]))
    throw fail('logDecay', `[${B}, ${H}, ${C}]`, logDecay);
  if (count !== undefined && (!same(count, [1]) || count.dtype !== 'i32'))
    throw fail('count', '[1] i32', count);
  return { B: B!, H: H!, C, L: L!, dk: dk!, dv: dv! };
}
