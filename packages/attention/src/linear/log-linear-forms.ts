import {
  add,
  cumsum,
  type Dim,
  exp,
  full,
  literal,
  mapElements,
  matmul,
  mul,
  type Node,
  pad,
  reshape,
  ShapeError,
  slice,
  sub,
  variable,
} from '@weft/ir';
import { fenwickLevelCount, fenwickLevelWeights, fenwickPrefixBuckets } from './fenwick-levels.js';

/** The decode state of log-linear attention: one d_k × d_v state per Fenwick level ≥ 1. */
export interface LogLinearState {
  /**
   * S^(ℓ) for ℓ = 1 … L `[B, H, L, d_k, d_v]`: Σ over level ℓ's bucket of the prefix of
   * exp(c_{t−1} − c_s) k_s v_sᵀ (zero where the bucket is empty).
   */
  readonly levels: Node;
  /** t, the number of positions seen `[1]` (exact in f32 up to 2^24). */
  readonly position: Node;
}

/** Static sizes of log-linear attention's operands. */
export interface Sizes {
  readonly B: number;
  readonly H: number;
  readonly N: number;
  readonly dk: number;
  readonly dv: number;
  /** λ's columns (levels 0 … L − 1). */
  readonly L: number;
}

/** (QKᵀ ⊙ H) V with H gathered from λ by the level of each (t, s): one N × N product. */
export function quadraticForm(q: Node, k: Node, v: Node, lambda: Node, a: Node | undefined, s: Sizes): Node {
  const scores = matmul(q, k, { transposeB: true });
  const weights = fenwickLevelWeights(lambda, [s.B, s.H, s.N, s.N], s.N);
  const c = a === undefined ? undefined : cumsum(a, 2);
  const masked = maskedWeights(
    scores,
    weights,
    c && reshape(c, [s.B, s.H, s.N, 1]),
    c && reshape(c, [s.B, s.H, 1, s.N]),
    2,
  );
  return matmul(masked, v);
}

/** The chunked IR form: masked products inside chunks, one state per Fenwick level above them. */
export function chunkedForm(
  q: Node,
  k: Node,
  v: Node,
  lambda: Node,
  a: Node | undefined,
  s: Sizes,
  chunk: number,
): Node {
  const { B, H, N, dk, dv } = s;
  const C = Math.min(chunk, 2 ** (fenwickLevelCount(N) - 1));
  const nc = Math.ceil(N / C);
  const rows = (x: Node, width: number) => reshape(padPositions(x, nc * C), [B, H, nc, C, width]);
  const scores = matmul(rows(q, dk), rows(k, dk), { transposeB: true });
  const weights = fenwickLevelWeights(padPositions(lambda, nc * C), [B, H, nc, C, C], nc * C);
  const c = a === undefined ? undefined : cumsum(reshape(padPositions(a, nc * C), [B, H, nc, C]), 3);
  const masked = maskedWeights(
    scores,
    weights,
    c && reshape(c, [B, H, nc, C, 1]),
    c && reshape(c, [B, H, nc, 1, C]),
    3,
  );
  let output = firstPositions(reshape(matmul(masked, rows(v, dv)), [B, H, nc * C, dv]), N);
  for (let level = Math.log2(C) + 1; level < fenwickLevelCount(N); level++)
    output = add(output, levelAboveChunks(q, k, v, lambda, a, s, level));
  return output;
}

/**
 * Level ℓ above a chunk: in each segment of 2^ℓ positions, queries of the upper half read the
 * state of the lower half, Σ_s exp(c_m − c_s) k_s v_sᵀ (m the lower half's last position), scaled
 * by exp(c_t − c_m) λ_t^(ℓ). Both decays are sums inside the segment, each ≤ 1.
 */
function levelAboveChunks(
  q: Node,
  k: Node,
  v: Node,
  lambda: Node,
  a: Node | undefined,
  s: Sizes,
  level: number,
): Node {
  const { B, H, N, dk, dv } = s;
  const half = 2 ** (level - 1);
  const segments = Math.ceil(N / (2 * half));
  const length = segments * 2 * half;
  const split = (x: Node, width: number) =>
    reshape(padPositions(x, length), [B, H, segments, 2, half, width]);
  const part = (x: Node, which: 0 | 1, width: number) =>
    reshape(slice(x, [0, 0, 0, which], [B, H, segments, which + 1]), [B, H, segments, half, width]);
  let keys = part(split(k, dk), 0, dk);
  const column = slice(lambda, [0, 0, 0, level], [B, H, N, level + 1]);
  let queries = mul(part(split(q, dk), 1, dk), part(split(column, 1), 1, 1));
  if (a !== undefined) {
    const sums = cumsum(reshape(padPositions(a, length), [B, H, segments, 2, half]), 4);
    const lower = part(reshape(sums, [B, H, segments, 2, half, 1]), 0, 1);
    const last = slice(lower, [0, 0, 0, half - 1], [B, H, segments, half]);
    keys = mul(keys, exp(sub(last, lower)));
    queries = mul(queries, exp(part(reshape(sums, [B, H, segments, 2, half, 1]), 1, 1)));
  }
  const state = matmul(keys, part(split(v, dv), 0, dv), { transposeA: true });
  const upper = reshape(matmul(queries, state), [B, H, segments, 1, half, dv]);
  const both = pad(upper, [0, 0, 0, 1, 0, 0], [0, 0, 0, 0, 0, 0]);
  return firstPositions(reshape(both, [B, H, length, dv]), N);
}

/** scores ⊙ λ ⊙ exp(c_t − c_s) on s ≤ t, 0 above the diagonal (min(·, 0) keeps exp finite there). */
function maskedWeights(
  scores: Node,
  weights: Node,
  cRow: Node | undefined,
  cColumn: Node | undefined,
  tAxis: number,
): Node {
  const t = variable(`i${tAxis}`, 'i32');
  const s = variable(`i${tAxis + 1}`, 'i32');
  let body = variable('$0').mul(variable('$1'));
  const operands = [scores, weights];
  if (cRow !== undefined && cColumn !== undefined) {
    body = body.mul(variable('$2').sub(variable('$3')).min(0).apply('exp'));
    operands.push(cRow, cColumn);
  }
  return mapElements(operands, s.le(t).select(body, 0));
}

/**
 * The decode state after the N positions: level ℓ ≥ 1 holds the bucket of the prefix [0, N) that
 * bit ℓ − 1 of N selects, weighed exp(c_{N−1} − c_s); one matmul over a 0/1 bucket table.
 */
export function prefixState(k: Node, v: Node, a: Node | undefined, s: Sizes): LogLinearState {
  const { B, H, N, dk, dv, L } = s;
  const stateLevels = L - 1;
  let weights = reshape(literal(fenwickPrefixBuckets(N, stateLevels), [stateLevels, N]), [
    1,
    1,
    stateLevels,
    N,
    1,
  ]);
  if (a !== undefined) {
    // exp(c_{N−1} − c_s) = exp(Σ_{r>s} a_r): an exclusive reverse cumsum, each factor ≤ 1.
    const after = cumsum(a, 2, { exclusive: true, reverse: true });
    weights = mul(weights, reshape(exp(after), [B, H, 1, N, 1]));
  }
  const keys = mul(reshape(k, [B, H, 1, N, dk]), weights);
  const levels = matmul(keys, reshape(v, [B, H, 1, N, dv]), { transposeA: true });
  return { levels, position: full(N, [1]) };
}

function padPositions(x: Node, length: number): Node {
  const extra = length - (x.shape[2] as number);
  if (extra === 0) return x;
  const zeros = x.shape.map(() => 0);
  return pad(
    x,
    zeros,
    zeros.map((_, axis) => (axis === 2 ? extra : 0)),
  );
}

function firstPositions(x: Node, length: number): Node {
  return x.shape[2] === length
    ? x
    : slice(x, [0, 0, 0], [x.shape[0] as number, x.shape[1] as number, length]);
}

/** Static sizes of the operands, or a `ShapeError` naming the block and tensor. */
/** A node or a tensor type: what the shape checks read. */
export interface Shaped {
  readonly shape: readonly Dim[];
}

export function checkOperands(
  q: Shaped,
  k: Shaped,
  v: Shaped,
  lambda: Shaped,
  a: Shaped | undefined,
  name: string,
): Sizes {
  const fail = (tensor: string, expected: string, actual: Shaped) =>
    new ShapeError(`log-linear attention "${name}": ${tensor} must be ${expected}`, {
      block: name,
      tensor,
      expected,
      actual: `[${actual.shape.join(', ')}]`,
    });
  const dims = (x: Shaped) => x.shape.map((dim) => (typeof dim === 'number' ? dim : Number.NaN));
  const [B, H, N, dk] = dims(q);
  if (q.shape.length !== 4 || ![B, H, N, dk].every(Number.isFinite))
    throw fail('query', '[B, H, N, d_k] with static dims', q);
  const same = (x: Shaped, expected: readonly number[]) =>
    x.shape.length === expected.length && dims(x).every((dim, axis) => dim === expected[axis]);
  if (!same(k, [B!, H!, N!, dk!])) throw fail('key', `[${B}, ${H}, ${N}, ${dk}] like the query`, k);
  const dv = dims(v)[3]!;
  if (!same(v, [B!, H!, N!, dv])) throw fail('value', `[${B}, ${H}, ${N}, d_v]`, v);
  const needed = fenwickLevelCount(N!);
  const L = dims(lambda)[3]!;
  if (!same(lambda, [B!, H!, N!, L]) || !(L >= needed))
    throw fail('levelWeights', `[${B}, ${H}, ${N}, L] with L >= ${needed} (⌈log2 N⌉ + 1 levels)`, lambda);
  if (a !== undefined && !same(a, [B!, H!, N!])) throw fail('logDecay', `[${B}, ${H}, ${N}]`, a);
  return { B: B!, H: H!, N: N!, dk: dk!, dv, L };
}
