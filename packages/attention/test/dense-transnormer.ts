// TransNormer's two layers (Qin et al. 2022, "The Devil in Linear Transformer", catalog paper 49),
// written from the paper in float64, independently of the ops' references:
//   NormAttention: Q = φ(XW_Q), K = φ(XW_K), V = XW_V, φ = 1 + elu;
//     non-causal O = XNorm(Q (Kᵀ V)) (Kᵀ V first: the associative form);
//     causal O = XNorm([(Q Kᵀ) ⊙ M] V), computed by prefix sums S_i = S_{i−1} + k_i v_iᵀ, o_i = q_i S_i;
//     no division by Σ_j q_i·k_j; XNorm over the merged heads of a position (H·d_v entries), here the
//     reference code's RMSNorm x / (√mean(x²) + ε) without gain, or LayerNorm (x − μ)/√(σ² + ε).
//   DiagAttention: softmax(q_i·k_j / √d) over the keys j of query i's diagonal block ⌊j/w⌋ = ⌊i/w⌋
//     (and j ≤ i when causal), O = A V.

/** `[B, H, N, d]` sizes (queries = keys). */
export interface TransnormerSizes {
  readonly batch: number;
  readonly heads: number;
  readonly length: number;
  readonly headDim: number;
  readonly valueDim: number;
}

/** The norm over one position's merged heads. */
export interface MergedHeadsNorm {
  readonly kind: 'rms-outside' | 'rms-inside' | 'layer';
  readonly epsilon: number;
}

const onePlusElu = (x: number) => (x > 0 ? 1 + x : Math.exp(x));

/** NormAttention's outputs `[B, H, N, d_v]` and its state S `[B, H, d, d_v]` after the last position. */
export function denseNormAttention(
  sizes: TransnormerSizes,
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  options: { readonly causal: boolean; readonly norm: MergedHeadsNorm },
): { output: Float64Array; state: Float64Array } {
  const { batch, heads, length: n, headDim: d, valueDim: e } = sizes;
  const raw = new Float64Array(batch * heads * n * e);
  const state = new Float64Array(batch * heads * d * e);
  for (let bh = 0; bh < batch * heads; bh++) {
    const kv = Array.from({ length: d }, () => new Float64Array(e));
    const add = (j: number) => {
      for (let a = 0; a < d; a++) {
        const feature = onePlusElu(k[(bh * n + j) * d + a]!);
        for (let c = 0; c < e; c++) kv[a]![c]! += feature * v[(bh * n + j) * e + c]!;
      }
    };
    const read = (i: number) => {
      for (let a = 0; a < d; a++) {
        const feature = onePlusElu(q[(bh * n + i) * d + a]!);
        for (let c = 0; c < e; c++) raw[(bh * n + i) * e + c]! += feature * kv[a]![c]!;
      }
    };
    if (options.causal) {
      for (let i = 0; i < n; i++) {
        add(i);
        read(i);
      }
    } else {
      for (let j = 0; j < n; j++) add(j);
      for (let i = 0; i < n; i++) read(i);
    }
    for (let a = 0; a < d; a++) state.set(kv[a]!, (bh * d + a) * e);
  }
  return { output: normalizeMergedHeads(sizes, raw, options.norm), state };
}

/** XNorm of each position's H·d_v outputs, in place layout `[B, H, N, d_v]`. */
export function normalizeMergedHeads(
  sizes: Pick<TransnormerSizes, 'batch' | 'heads' | 'length' | 'valueDim'>,
  raw: ArrayLike<number>,
  norm: MergedHeadsNorm,
): Float64Array {
  const { batch, heads, length: n, valueDim: e } = sizes;
  const out = new Float64Array(raw.length);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < n; i++) {
      const at = (h: number, c: number) => ((b * heads + h) * n + i) * e + c;
      const row: number[] = [];
      for (let h = 0; h < heads; h++) for (let c = 0; c < e; c++) row.push(raw[at(h, c)]!);
      const mean = norm.kind === 'layer' ? row.reduce((s, x) => s + x, 0) / row.length : 0;
      const meanSquare = row.reduce((s, x) => s + (x - mean) ** 2, 0) / row.length;
      const divisor =
        norm.kind === 'rms-outside'
          ? Math.sqrt(meanSquare) + norm.epsilon
          : Math.sqrt(meanSquare + norm.epsilon);
      for (let h = 0; h < heads; h++)
        for (let c = 0; c < e; c++) out[at(h, c)] = (raw[at(h, c)]! - mean) / divisor;
    }
  }
  return out;
}

/** DiagAttention's outputs `[B, H, N, d_v]`: softmax inside diagonal blocks of `block` positions. */
export function denseDiagAttention(
  sizes: TransnormerSizes,
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  options: { readonly block: number; readonly causal: boolean },
): Float64Array {
  const { batch, heads, length: n, headDim: d, valueDim: e } = sizes;
  const out = new Float64Array(batch * heads * n * e);
  for (let bh = 0; bh < batch * heads; bh++) {
    for (let i = 0; i < n; i++) {
      const start = Math.floor(i / options.block) * options.block;
      const end = options.causal ? i : Math.min(start + options.block, n) - 1;
      const logits: number[] = [];
      for (let j = start; j <= end; j++) {
        let s = 0;
        for (let a = 0; a < d; a++) s += q[(bh * n + i) * d + a]! * k[(bh * n + j) * d + a]!;
        logits.push(s / Math.sqrt(d));
      }
      const top = Math.max(...logits);
      const weights = logits.map((s) => Math.exp(s - top));
      const total = weights.reduce((s, w) => s + w, 0);
      weights.forEach((w, t) => {
        for (let c = 0; c < e; c++)
          out[(bh * n + i) * e + c]! += (w / total) * v[(bh * n + start + t) * e + c]!;
      });
    }
  }
  return out;
}
