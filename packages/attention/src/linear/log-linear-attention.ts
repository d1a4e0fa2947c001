import {
  add,
  cumsum,
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
  SpecError,
  slice,
  sub,
  variable,
} from '@weft/ir';
import { fenwickLevelCount, fenwickLevelWeights, fenwickPrefixBuckets } from './fenwick-levels.js';

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
   * Fenwick level above it, O(N·d² · log(N/C)); `quadratic`: the O(N²) masked product (H ⊙ QKᵀ)V.
   */
  readonly form?: 'chunked' | 'quadratic';
  /** Positions per chunk of the chunked form: a power of two in [1, 64] (default 16). */
  readonly chunkSize?: number;
  /** Also return the decode state after the last position (`logLinearDecodeStep` continues it). */
  readonly returnState?: boolean;
}

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

/** What {@link logLinearAttention} builds. */
export interface AppliedLogLinear {
  /** o `[B, H, N, d_v]`. */
  readonly output: Node;
  /** The state after the last position, when asked for. */
  readonly state?: LogLinearState;
}

interface Sizes {
  readonly B: number;
  readonly H: number;
  readonly N: number;
  readonly dk: number;
  readonly dv: number;
  /** λ's columns (levels 0 … L − 1). */
  readonly L: number;
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
  const output =
    options.form === 'quadratic'
      ? quadraticForm(query, key, value, levelWeights, options.logDecay, sizes)
      : chunkedForm(query, key, value, levelWeights, options.logDecay, sizes, chunk);
  if (options.returnState !== true) return { output };
  return { output, state: prefixState(key, value, options.logDecay, sizes) };
}

/** (QKᵀ ⊙ H) V with H gathered from λ by the level of each (t, s): one N × N product. */
function quadraticForm(q: Node, k: Node, v: Node, lambda: Node, a: Node | undefined, s: Sizes): Node {
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

function chunkedForm(
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
function prefixState(k: Node, v: Node, a: Node | undefined, s: Sizes): LogLinearState {
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

function checkOperands(q: Node, k: Node, v: Node, lambda: Node, a: Node | undefined, name: string): Sizes {
  const fail = (tensor: string, expected: string, actual: Node) =>
    new ShapeError(`log-linear attention "${name}": ${tensor} must be ${expected}`, {
      block: name,
      tensor,
      expected,
      actual: `[${actual.shape.join(', ')}]`,
    });
  const dims = (x: Node) => x.shape.map((dim) => (typeof dim === 'number' ? dim : Number.NaN));
  const [B, H, N, dk] = dims(q);
  if (q.rank !== 4 || ![B, H, N, dk].every(Number.isFinite))
    throw fail('query', '[B, H, N, d_k] with static dims', q);
  const same = (x: Node, expected: readonly number[]) =>
    x.rank === expected.length && dims(x).every((dim, axis) => dim === expected[axis]);
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
