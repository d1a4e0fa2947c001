import { add, astype, concat, cos, literal, mul, type Node, param, reshape, ShapeError, sin } from '@weft/ir';
import { expectRows, type FeatureExpansion } from './feature-expansions.js';

/** Options of {@link lrpeFeatures}. */
export interface LrpeFeatureOptions {
  /**
   * θ `[H, d_k]`, one angle per head and feature (learnable in the paper; default the parameter
   * `${block}.lrpe.theta`, initialized by {@link lrpeThetaInit}).
   */
  readonly theta?: Node;
  /**
   * A `[1]` i32 tensor: row i of the call is at position `positionOffset + i` (a decode step passes
   * the number of past tokens; default: rows at 0, 1, …).
   */
  readonly positionOffset?: Node;
}

/**
 * TransNormerLLM's linearized relative positional encoding, LRPE (Qin et al., catalog paper 19):
 * each row x at position i → φ(x)_i = [x ⊙ cos(θ i) ; x ⊙ sin(θ i)] (2·d_k features), so that
 * φ(q_i)·φ(k_j) = Σ_m q_m k_m cos(θ_m (i − j)) — a relative position encoding that keeps the
 * product a dot product of two rows, hence the linear forms. Pair it with `identity()` (queries
 * and keys are SiLU-mapped before, as in the paper), no denominator and Lightning's decay. A
 * decode step gives `positionOffset` so that its row sits at the right position.
 *
 * @example
 * ```ts
 * const spec = linearAttention({ heads: 4, headDim: 16, featureMap: identity(), featureExpansion: lrpeFeatures(), denominator: false, decay: lightningLinearDecay(4, 2, 6), causal: true });
 * ```
 */
export function lrpeFeatures(options: LrpeFeatureOptions = {}): FeatureExpansion {
  return {
    name: 'lrpe',
    featureDim: (d) => 2 * d,
    expand(query, key, block) {
      const d = expectRows(query, block, 'query', 'LRPE');
      expectRows(key, block, 'key', 'LRPE', d);
      const heads = staticDim(query, 1, block, 'query');
      const theta = reshape(options.theta ?? param(`${block}.lrpe.theta`, [heads, d]), [heads, 1, d]);
      const rows = (x: Node, role: 'query' | 'key') => {
        const length = staticDim(x, 2, block, role);
        const steps = Array.from({ length }, (_, i) => i);
        let position = literal(steps, [length, 1]);
        if (options.positionOffset !== undefined)
          position = add(position, astype(options.positionOffset, 'f32'));
        // [N, 1] · [H, 1, d] → the angles [H, N, d] of every head, position and feature.
        const angle = mul(position, theta);
        return concat([mul(x, cos(angle)), mul(x, sin(angle))], 3);
      };
      return { query: rows(query, 'query'), key: rows(key, 'key') };
    },
  };
}

/**
 * The paper's initial θ `[H, d_k]`: θ_m = 10000^(−2m/(H·d_k)) for m = h·d_k + c running over every
 * head h and feature c.
 *
 * @example
 * ```ts
 * const params = { 'layer.lrpe.theta': lrpeThetaInit(4, 16) };
 * ```
 */
export function lrpeThetaInit(heads: number, headDim: number): Float32Array {
  const count = heads * headDim;
  return Float32Array.from({ length: count }, (_, m) => 10000 ** ((-2 * m) / count));
}

function staticDim(x: Node, axis: number, block: string, role: 'query' | 'key'): number {
  const dim = x.shape[axis];
  if (typeof dim !== 'number')
    throw new ShapeError(
      `linear attention "${block}": LRPE needs a static ${axis === 1 ? 'head count' : 'length'}`,
      {
        block,
        tensor: role,
        dimension: axis,
        expected: 'a number',
        actual: String(dim),
      },
    );
  return dim;
}
