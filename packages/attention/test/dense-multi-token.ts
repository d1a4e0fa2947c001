/** One Multi-Token instance's sizes and options, as the dense formula reads them. */
export interface DenseMultiTokenOptions {
  readonly batch: number;
  readonly heads: number;
  readonly length: number;
  readonly headDim: number;
  readonly valueDim: number;
  readonly queryKernel: number;
  readonly keyKernel: number;
  readonly causal: boolean;
  /** Heads per mixing group and where they mix, or `null`. */
  readonly mixing: { readonly group: number; readonly placement: 'preSoftmax' | 'postSoftmax' } | null;
  /** The group norm's ε, or `null`. */
  readonly groupNormEpsilon: number | null;
}

/** Dense tensors: `[H][N][N]` score maps of one batch entry. */
type Maps = number[][][];

/**
 * Multi-Token Attention written from the paper (Golovneva et al., 2025, §3 and the authors'
 * `_mta_convolution` / `_head_convolution`), in float64 over the whole N×N map, independent of the
 * op's row-at-a-time reference: L = QKᵀ/√d; masked entries set to 0; zero-pad the map by c_q − 1
 * rows above and (c_k − 1)/2 columns on each side; L' = Conv2d(L, θ_h) per head (cross-correlation,
 * no bias); pre-softmax: L'' = head conv of L'; add the −∞ mask; A = softmax over keys;
 * post-softmax: A ← A_g · W_g per group; O = A V; group norm RMSNorm(O)·γ. Single KV head per
 * query head (H = kvHeads = valueHeads).
 */
export function denseMultiToken(
  values: Readonly<Record<string, ArrayLike<number>>>,
  names: { readonly kernel: string; readonly headMix: string; readonly normGain: string },
  o: DenseMultiTokenOptions,
): Float64Array {
  const { heads: H, length: N, headDim: D, valueDim: DV, queryKernel: CQ, keyKernel: CK } = o;
  const q = values.q!;
  const k = values.k!;
  const v = values.v!;
  const theta = values[names.kernel]!;
  const masked = (i: number, j: number) => o.causal && j > i;
  const out = new Float64Array(o.batch * H * N * DV);
  for (let b = 0; b < o.batch; b++) {
    const scores: Maps = range(H).map((h) =>
      range(N).map((i) =>
        range(N).map((j) => {
          if (masked(i, j)) return 0;
          let dot = 0;
          for (let e = 0; e < D; e++)
            dot += Number(q[((b * H + h) * N + i) * D + e]) * Number(k[((b * H + h) * N + j) * D + e]);
          return dot / Math.sqrt(D);
        }),
      ),
    );
    // Padded map P[h][r][c], r over N + c_q − 1 rows (c_q − 1 zero rows on top), c over N + c_k − 1.
    const pad = (CK - 1) / 2;
    const padded = scores.map((map) =>
      range(N + CQ - 1).map((r) => range(N + CK - 1).map((c) => map[r - (CQ - 1)]?.[c - pad] ?? 0)),
    );
    let logits: Maps = padded.map((map, h) =>
      range(N).map((i) =>
        range(N).map((j) => {
          let total = 0;
          for (let a = 0; a < CQ; a++)
            for (let t = 0; t < CK; t++) total += Number(theta[(h * CQ + a) * CK + t]) * map[i + a]![j + t]!;
          return total;
        }),
      ),
    );
    if (o.mixing?.placement === 'preSoftmax')
      logits = headConvolution(logits, values[names.headMix]!, o.mixing.group);
    let probabilities: Maps = logits.map((map) =>
      map.map((row, i) => {
        const shifted = row.map((x, j) => (masked(i, j) ? -Infinity : x));
        const top = Math.max(...shifted);
        const exps = shifted.map((x) => Math.exp(x - top));
        const total = exps.reduce((s, x) => s + x, 0);
        return exps.map((x) => x / total);
      }),
    );
    if (o.mixing?.placement === 'postSoftmax')
      probabilities = headConvolution(probabilities, values[names.headMix]!, o.mixing.group);
    for (let h = 0; h < H; h++)
      for (let i = 0; i < N; i++) {
        const row = range(DV).map((e) =>
          range(N).reduce(
            (s, j) => s + probabilities[h]![i]![j]! * Number(v[((b * H + h) * N + j) * DV + e]),
            0,
          ),
        );
        const normed =
          o.groupNormEpsilon === null ? row : rmsNorm(row, o.groupNormEpsilon, values[names.normGain]!);
        out.set(normed, ((b * H + h) * N + i) * DV);
      }
  }
  return out;
}

/** The paper's head convolution: maps of group g, as `[keys, queries, c_h]`, times W_g `[c_h, c_h]`. */
function headConvolution(maps: Maps, weights: ArrayLike<number>, group: number): Maps {
  return maps.map((map, h) => {
    const g = Math.floor(h / group);
    const column = h % group;
    return map.map((row, i) =>
      row.map((_, j) => {
        let total = 0;
        for (let r = 0; r < group; r++)
          total += maps[g * group + r]![i]![j]! * Number(weights[(g * group + r) * group + column]);
        return total;
      }),
    );
  });
}

function rmsNorm(row: readonly number[], epsilon: number, gain: ArrayLike<number>): number[] {
  const rms = Math.sqrt(row.reduce((s, x) => s + x * x, 0) / row.length + epsilon);
  return row.map((x, e) => (x / rms) * Number(gain[e]));
}

function range(length: number): number[] {
  return Array.from({ length }, (_, index) => index);
}
