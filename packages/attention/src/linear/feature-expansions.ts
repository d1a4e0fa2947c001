import { concat, full, indexSelect, literal, mul, type Node, ShapeError, SpecError } from '@weft/ir';

/**
 * A feature map that is not elementwise: it maps each query and key row of d_k entries to a row
 * of `featureDim(d_k)` features (so that φ(q)·φ(k) is a chosen kernel of q and k). It runs as
 * graph ops on the rows before the `linearAttention` node, whose state then has `featureDim` rows.
 * A map that acts on each row alone gives the same three forms (state, chunk sweep, decode step);
 * one that reads statistics of the call (LLN's moments) is for full sequences.
 */
export interface FeatureExpansion {
  /** For descriptions (`taylor(2, T 1)`). */
  readonly name: string;
  /** Features per row for d_k entries. */
  featureDim(headDim: number): number;
  /**
   * φ of the query rows `[B, H, Nq, d_k]` and the key rows `[B, H, Nk, d_k]` → `featureDim`
   * columns each (one call: a map may read statistics of both, as LLN's moment matching does).
   */
  expand(query: Node, key: Node, block: string): ExpandedRows;
}

/** Query and key features of a {@link FeatureExpansion}. */
export interface ExpandedRows {
  /** `[B, H, Nq, featureDim]`. */
  readonly query: Node;
  /** `[B, H, Nk, featureDim]`. */
  readonly key: Node;
}

/** A `ShapeError` unless `x` is `[B, H, N, d]` with a static d (and d = `headDim` when given). */
export function expectRows(
  x: Node,
  block: string,
  role: 'query' | 'key',
  map: string,
  headDim?: number,
): number {
  const d = x.shape[3];
  if (x.rank !== 4 || typeof d !== 'number' || (headDim !== undefined && d !== headDim))
    throw new ShapeError(`linear attention "${block}": ${map} features need [B, H, N, d_k] ${role} rows`, {
      block,
      tensor: role,
      expected: `[B, H, N, ${headDim ?? 'd_k (static)'}]`,
      actual: `[${x.shape.join(', ')}]`,
    });
  return d;
}

/** Options of {@link taylorFeatures}. */
export interface TaylorFeatureOptions {
  /** 1: f(s) = 1 + s; 2: f(s) = 1 + s + s²/2. */
  readonly degree: 1 | 2;
  /** T in s = q·k / T (default 1: Fastmax with its query/key normalization). */
  readonly temperature?: number;
}

/**
 * The Taylor features of Fastmax (FAST, catalog paper 26): φ(q)·φ(k) = 1 + s + s²/2 with
 * s = q·k / T (degree 2; 1 + s for degree 1), the paper's factorization
 * φ(x) = [1, x/√T, vec(xxᵀ)/(√2·T)] with each pair a < b of vec(xxᵀ) stored once with weight √2
 * (the same products, (d + 1)(d + 2)/2 features instead of 1 + d + d²). With a denominator
 * (ε = 0: f ≥ 1/2 > 0) the op computes Fastmax's A_ij = f(s_ij) / Σ_l f(s_il) in O(N·d²·d_v).
 *
 * @example
 * ```ts
 * const spec = linearAttention({ heads: 4, headDim: 16, featureMap: identity(), featureExpansion: taylorFeatures({ degree: 2 }), denominator: { epsilon: 0 }, causal: true });
 * const { output } = applyLinearAttention(spec, { query: fastmaxQueryKeyNorm(q), key: fastmaxQueryKeyNorm(k), value: v });
 * ```
 * @throws SpecError when the degree is not 1 or 2 or T is not a positive finite number.
 */
export function taylorFeatures(options: TaylorFeatureOptions): FeatureExpansion {
  const { degree } = options;
  const temperature = options.temperature ?? 1;
  if (degree !== 1 && degree !== 2)
    throw new SpecError('taylorFeatures: degree must be 1 or 2', {
      expected: '1, 2',
      actual: String(degree),
    });
  if (!(Number.isFinite(temperature) && temperature > 0))
    throw new SpecError('taylorFeatures: temperature must be a finite number > 0', {
      expected: 'T > 0',
      actual: temperature,
    });
  return {
    name: `taylor(${degree}, T ${temperature})`,
    featureDim: (d) => (degree === 1 ? d + 1 : ((d + 1) * (d + 2)) / 2),
    expand(query, key, block) {
      return {
        query: taylorRows(query, degree, temperature, block, 'query'),
        key: taylorRows(key, degree, temperature, block, 'key'),
      };
    },
  };
}

function taylorRows(x: Node, degree: 1 | 2, temperature: number, block: string, role: 'query' | 'key'): Node {
  const d = expectRows(x, block, role, 'Taylor');
  // x' = [1, x]: every monomial of degree ≤ 2 is x'_a·x'_b for a ≤ b (a = 0 gives 1 and x).
  const padded = concat([full(1, [...x.shape.slice(0, 3), 1]), x], 3);
  const first: number[] = [];
  const second: number[] = [];
  const weights: number[] = [];
  for (let a = 0; a <= d; a++)
    for (let b = a; b <= d; b++) {
      const order = (a === 0 ? 0 : 1) + (b === 0 ? 0 : 1);
      if (order > degree) continue;
      first.push(a);
      second.push(b);
      // 1; x_b/√T; x_a²/(√2·T); x_a·x_b·√2/(√2·T) = x_a·x_b/T for a < b.
      weights.push(
        order === 0
          ? 1
          : order === 1
            ? 1 / Math.sqrt(temperature)
            : (a === b ? Math.SQRT1_2 : 1) / temperature,
      );
    }
  const select = (indices: number[]) => indexSelect(padded, 3, literal(indices, [indices.length], 'i32'));
  return mul(mul(select(first), select(second)), literal(weights, [weights.length]));
}
