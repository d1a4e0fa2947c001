import { add, exp, literal, matmul, max, mul, type Node, SpecError, sub, sum } from '@weft/ir';
import { expectRows, type FeatureExpansion } from './feature-expansions.js';

/** Options of {@link favorFeatures}. */
export interface FavorFeatureOptions {
  /** d_k of the query and key rows. */
  readonly headDim: number;
  /** m, the number of random features (default ⌊d·ln d⌋, at least 1, as performer-pytorch). */
  readonly features?: number;
  /** Seed of the Gaussian draws: the same seed gives the same ω (default 0). */
  readonly seed?: number;
  /** ε added to every feature (default 1e-4, the reference code's). */
  readonly epsilon?: number;
  /**
   * The key stabilizer c: `sequence` (the reference code: the max of ωᵀk̂ over the features and
   * every key of the call, per batch and head) or `row` (each key's own max, as for queries). It
   * cancels between numerator and denominator up to ε; `row` acts on each row alone, so a decode
   * step computes the same features as a full pass.
   */
  readonly keyStabilizer?: 'sequence' | 'row';
}

/** FAVOR+ features with their projection ω `[m, d]` (row-major), for checks and export. */
export interface FavorFeatures extends FeatureExpansion {
  /** ω, m rows of d: orthogonal within each block of d rows, rows scaled by χ(d) norms. */
  readonly projection: Float64Array;
  /** m. */
  readonly features: number;
  /** ε added to every feature. */
  readonly epsilon: number;
  /** The key stabilizer. */
  readonly keyStabilizer: 'sequence' | 'row';
}

/**
 * Performer's FAVOR+ positive random features (Choromanski et al. 2021, catalog paper 78), as
 * the reference code computes them: x̂ = x / d^(1/4),
 * φ(x) = m^(−1/2) (exp(ωᵀx̂ − ‖x̂‖²/2 − c) + ε), with c the row max of ωᵀx̂ for queries and,
 * for keys, the max over every key of the call (or the row's own, `keyStabilizer: 'row'`).
 * E[φ(q)·φ(k)] ∝ exp(q·k/√d): with the denominator (ε 0) the op estimates softmax attention. ω
 * is drawn from a seeded Gaussian on the host: blocks of d rows orthogonalized (Gram–Schmidt, in
 * float64), each row then scaled by the norm of a fresh Gaussian d-vector (`scaling = 0`). Query
 * and key features are separate calls (`role`).
 *
 * @example
 * ```ts
 * const favor = favorFeatures({ headDim: 16, features: 64, seed: 7 });
 * const spec = linearAttention({ heads: 4, headDim: 16, featureMap: identity(), featureExpansion: favor, denominator: { epsilon: 0 } });
 * ```
 * @throws SpecError when headDim, features, ε or the seed are out of range.
 */
export function favorFeatures(options: FavorFeatureOptions): FavorFeatures {
  const d = options.headDim;
  const fail = (option: string, expected: string, actual: unknown) =>
    new SpecError(`favorFeatures: ${option} must be ${expected}`, {
      dimension: option,
      expected,
      actual: String(actual),
    });
  if (!Number.isInteger(d) || d < 1 || d > 4096) throw fail('headDim', 'an integer in [1, 4096]', d);
  const m = options.features ?? Math.max(1, Math.floor(d * Math.log(d)));
  if (!Number.isInteger(m) || m < 1) throw fail('features', 'an integer >= 1', m);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw fail('seed', 'an integer', seed);
  const epsilon = options.epsilon ?? 1e-4;
  if (!(Number.isFinite(epsilon) && epsilon >= 0)) throw fail('epsilon', 'a finite number >= 0', epsilon);
  const keyStabilizer = options.keyStabilizer ?? 'sequence';
  if (keyStabilizer !== 'sequence' && keyStabilizer !== 'row')
    throw fail('keyStabilizer', '"sequence" or "row"', keyStabilizer);
  const projection = orthogonalRandomFeatures(m, d, seed);
  return {
    name: `favor+(m ${m}, seed ${seed})`,
    projection,
    features: m,
    epsilon,
    keyStabilizer,
    featureDim: () => m,
    expand(query, key, block) {
      const rows = (x: Node, role: 'query' | 'key') => {
        expectRows(x, block, role, 'FAVOR+', d);
        const scaled = mul(x, d ** -0.25);
        const dash = matmul(scaled, literal([...projection], [m, d]), { transposeB: true });
        const halfNorm = mul(sum(mul(scaled, scaled), -1, { keepDims: true }), 0.5);
        const rowMax = max(dash, -1, { keepDims: true });
        const stabilizer =
          role === 'key' && keyStabilizer === 'sequence' ? max(rowMax, 2, { keepDims: true }) : rowMax;
        return mul(add(exp(sub(sub(dash, halfNorm), stabilizer)), epsilon), m ** -0.5);
      };
      return { query: rows(query, 'query'), key: rows(key, 'key') };
    },
  };
}

/** m × d block-orthogonal Gaussian rows scaled by χ(d) norms, from a seeded generator. */
function orthogonalRandomFeatures(m: number, d: number, seed: number): Float64Array {
  const gaussian = seededGaussian(seed);
  const rows: number[][] = [];
  while (rows.length < m) {
    const block: number[][] = [];
    for (let r = 0; r < d; r++) {
      const row = Array.from({ length: d }, gaussian);
      // Modified Gram–Schmidt against the block's earlier rows (a Gaussian block is full rank).
      for (const earlier of block) {
        const dot = row.reduce((s, value, c) => s + value * earlier[c]!, 0);
        for (let c = 0; c < d; c++) row[c]! -= dot * earlier[c]!;
      }
      const norm = Math.hypot(...row);
      block.push(row.map((value) => value / norm));
    }
    rows.push(...block.slice(0, m - rows.length));
  }
  const out = new Float64Array(m * d);
  rows.forEach((row, r) => {
    const length = Math.hypot(...Array.from({ length: d }, gaussian));
    for (let c = 0; c < d; c++) out[r * d + c] = row[c]! * length;
  });
  return out;
}

/** Standard normal draws (Box–Muller over mulberry32): deterministic for a seed. */
function seededGaussian(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => {
    const u = 1 - uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
}
