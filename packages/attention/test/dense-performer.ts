// Performer's FAVOR+ (Choromanski et al. 2021, catalog paper 78) in float64, from the paper and
// its reference code, independently of the ops: x̂ = x / d^(1/4); for each random feature ω_r,
// φ(x)_r = m^(−1/2) (exp(ω_r·x̂ − ‖x̂‖²/2 − c) + ε), c = max_r ω_r·q̂ for a query row, and for keys
// the max over every key and feature of the (batch, head) or, `row`, the key's own max;
// O = D⁻¹ (φ(Q) (φ(K)ᵀ V)), D = diag(φ(Q) φ(K)ᵀ 1) — causal: prefix sums over j ≤ i.
// Also exact softmax attention, softmax(q·k/√d) V, which FAVOR+ estimates.

/** `[B, H, N, d]` sizes (queries = keys). */
export interface PerformerSizes {
  readonly batch: number;
  readonly heads: number;
  readonly length: number;
  readonly headDim: number;
  readonly valueDim: number;
}

function features(
  sizes: PerformerSizes,
  x: ArrayLike<number>,
  projection: ArrayLike<number>,
  m: number,
  epsilon: number,
  stabilizer: 'row' | 'sequence',
): Float64Array {
  const { batch, heads, length: n, headDim: d } = sizes;
  const out = new Float64Array(batch * heads * n * m);
  const scale = d ** -0.25;
  for (let bh = 0; bh < batch * heads; bh++) {
    const dash: number[][] = [];
    const halfNorms: number[] = [];
    for (let t = 0; t < n; t++) {
      const row = Array.from({ length: d }, (_, a) => x[(bh * n + t) * d + a]! * scale);
      halfNorms.push(row.reduce((s, value) => s + value * value, 0) / 2);
      dash.push(
        Array.from({ length: m }, (_, r) =>
          row.reduce((s, value, a) => s + value * projection[r * d + a]!, 0),
        ),
      );
    }
    const sequenceMax = Math.max(...dash.map((row) => Math.max(...row)));
    for (let t = 0; t < n; t++) {
      const c = stabilizer === 'row' ? Math.max(...dash[t]!) : sequenceMax;
      for (let r = 0; r < m; r++)
        out[(bh * n + t) * m + r] = (Math.exp(dash[t]![r]! - halfNorms[t]! - c) + epsilon) / Math.sqrt(m);
    }
  }
  return out;
}

/** FAVOR+ attention outputs `[B, H, N, d_v]`. */
export function densePerformer(
  sizes: PerformerSizes,
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  options: {
    readonly projection: ArrayLike<number>;
    readonly features: number;
    readonly epsilon: number;
    readonly keyStabilizer: 'row' | 'sequence';
    readonly causal: boolean;
  },
): Float64Array {
  const { batch, heads, length: n, valueDim: e } = sizes;
  const m = options.features;
  const phiQ = features(sizes, q, options.projection, m, options.epsilon, 'row');
  const phiK = features(sizes, k, options.projection, m, options.epsilon, options.keyStabilizer);
  const out = new Float64Array(batch * heads * n * e);
  for (let bh = 0; bh < batch * heads; bh++)
    for (let i = 0; i < n; i++) {
      let total = 0;
      const numerator = new Float64Array(e);
      for (let j = 0; j <= (options.causal ? i : n - 1); j++) {
        let w = 0;
        for (let r = 0; r < m; r++) w += phiQ[(bh * n + i) * m + r]! * phiK[(bh * n + j) * m + r]!;
        total += w;
        for (let c = 0; c < e; c++) numerator[c]! += w * v[(bh * n + j) * e + c]!;
      }
      for (let c = 0; c < e; c++) out[(bh * n + i) * e + c] = numerator[c]! / total;
    }
  return out;
}

/** Exact softmax(q·k/√d) V (non-causal). */
export function denseSoftmaxAttention(
  sizes: PerformerSizes,
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
): Float64Array {
  const { batch, heads, length: n, headDim: d, valueDim: e } = sizes;
  const out = new Float64Array(batch * heads * n * e);
  for (let bh = 0; bh < batch * heads; bh++)
    for (let i = 0; i < n; i++) {
      const logits = Array.from({ length: n }, (_, j) => {
        let s = 0;
        for (let a = 0; a < d; a++) s += q[(bh * n + i) * d + a]! * k[(bh * n + j) * d + a]!;
        return s / Math.sqrt(d);
      });
      const top = Math.max(...logits);
      const weights = logits.map((s) => Math.exp(s - top));
      const total = weights.reduce((s, w) => s + w, 0);
      weights.forEach((w, j) => {
        for (let c = 0; c < e; c++) out[(bh * n + i) * e + c]! += (w / total) * v[(bh * n + j) * e + c]!;
      });
    }
  return out;
}
