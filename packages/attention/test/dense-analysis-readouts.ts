/**
 * Attention Sorting (45) and the massive-value statistics (92) written from their papers' formulas
 * in float64, independent of the attention op, its readouts and its RoPE: the second oracle of the
 * analysis entries. Layout `[1, H, N, d]`.
 */

import { denseSoftmaxRow } from './dense-softmax-rows.js';

type Values = Readonly<Record<string, ArrayLike<number>>>;

/** score(D) = Σ_{t∈D} mean_{l,h} A^{l,h}_{last,t}, A = causal softmax(q kᵀ/√d), per key segment. */
export function denseAttentionSorting(
  values: Values,
  shape: { heads: number; length: number; headDim: number; layers: number; segmentStarts: readonly number[] },
): Record<string, Float64Array> {
  const { heads, length, headDim, layers, segmentStarts } = shape;
  const scores = new Float64Array(segmentStarts.length);
  const segmentOf = (t: number) => segmentStarts.filter((start) => start <= t).length - 1;
  for (let layer = 0; layer < layers; layer++) {
    const q = values[`q${layer}`]!;
    const k = values[`k${layer}`]!;
    for (let h = 0; h < heads; h++) {
      // The last query sees every key under the causal mask.
      const weights = denseSoftmaxRow(q, k, { h, p: length - 1, length, headDim, visible: () => true });
      for (const [t, weight] of weights.entries()) scores[segmentOf(t)]! += weight / (layers * heads);
    }
  }
  return { scores };
}

/** M_{h,d} = (Σ_t x_{t,h,d}²)^½ of q and k, before and after {@link denseRope}. */
export function denseMassiveValues(
  values: Values,
  shape: { heads: number; length: number; headDim: number },
): Record<string, Float64Array> {
  const { heads, length, headDim } = shape;
  const rotated = (x: ArrayLike<number>) => denseRope(x, heads, length, headDim);
  const norms = (x: ArrayLike<number>) => {
    const out = new Float64Array(heads * headDim);
    for (let h = 0; h < heads; h++)
      for (let d = 0; d < headDim; d++) {
        let squares = 0;
        for (let t = 0; t < length; t++) squares += x[(h * length + t) * headDim + d]! ** 2;
        out[h * headDim + d] = Math.sqrt(squares);
      }
    return out;
  };
  const q = values.q!;
  const k = values.k!;
  return {
    queryNorms: norms(q),
    keyNorms: norms(k),
    rotatedQueryNorms: norms(rotated(q)),
    rotatedKeyNorms: norms(rotated(k)),
  };
}

/** A = softmax(q kᵀ/√d) over all keys (bidirectional) of one head: `[N, N]` rows. */
function denseMap(q: ArrayLike<number>, k: ArrayLike<number>, h: number, length: number, headDim: number) {
  return Array.from({ length }, (_, p) =>
    denseSoftmaxRow(q, k, { h, p, length, headDim, visible: () => true }),
  );
}

/**
 * Abnar & Zuidema's rollout: Ā = mean_h A, Ã = ½Ā + ½I with rows renormalized, R = Ã⁽ᴸ⁾⋯Ã⁽¹⁾.
 */
export function denseAttentionRollout(
  values: Values,
  shape: { heads: number; length: number; headDim: number; layers: number },
): Record<string, Float64Array> {
  const { heads, length, headDim, layers } = shape;
  let rollout: number[][] | undefined;
  for (let layer = 0; layer < layers; layer++) {
    const maps = Array.from({ length: heads }, (_, h) =>
      denseMap(values[`q${layer}`]!, values[`k${layer}`]!, h, length, headDim),
    );
    const mixed = Array.from({ length }, (_, i) => {
      const row = Array.from(
        { length },
        (_, j) => (0.5 * maps.reduce((total, map) => total + map[i]![j]!, 0)) / heads + (i === j ? 0.5 : 0),
      );
      const total = row.reduce((a, b) => a + b, 0);
      return row.map((value) => value / total);
    });
    const previous = rollout;
    rollout =
      previous === undefined
        ? mixed
        : mixed.map((row) =>
            Array.from({ length }, (_, j) =>
              row.reduce((total, value, m) => total + value * previous[m]![j]!, 0),
            ),
          );
  }
  return { rollout: Float64Array.from(rollout!.flat()) };
}

/** Pruthi et al.: m_h = Σ_{j∈I} a_{h,0,j} (the [CLS] row), R = −(λ/|H|) Σ_h log(1 − m_h). */
export function denseDeceptionPenalty(
  values: Values,
  shape: { heads: number; length: number; headDim: number; weight: number },
): Record<string, Float64Array> {
  const { heads, length, headDim, weight } = shape;
  const subsetMass = Float64Array.from({ length: heads }, (_, h) =>
    denseMap(values.q!, values.k!, h, length, headDim)[0]!.reduce(
      (total, a, j) => total + (values.impermissible![j] === 1 ? a : 0),
      0,
    ),
  );
  const penalty = (-weight / heads) * subsetMass.reduce((total, mass) => total + Math.log(1 - mass), 0);
  return { subsetMass, penalty: Float64Array.of(penalty) };
}

/** RoFormer's rotation in the `half` pairing, base 10 000: token t turns dims (i, i + d/2) by t·10000^(−2i/d). */
export function denseRope(
  x: ArrayLike<number>,
  heads: number,
  length: number,
  headDim: number,
): Float64Array {
  const half = headDim / 2;
  const out = new Float64Array(x.length);
  for (let h = 0; h < heads; h++)
    for (let t = 0; t < length; t++) {
      const row = (h * length + t) * headDim;
      for (let i = 0; i < half; i++) {
        const angle = t * 10000 ** ((-2 * i) / headDim);
        const [a, b] = [x[row + i]!, x[row + i + half]!];
        out[row + i] = a * Math.cos(angle) - b * Math.sin(angle);
        out[row + i + half] = b * Math.cos(angle) + a * Math.sin(angle);
      }
    }
  return out;
}
