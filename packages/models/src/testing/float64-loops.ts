// The primitive float64 loops shared by the hand-written test forwards (sink, linear-hybrid and
// conditioned decoders). Each is a plain loop from the math, independent of Weft's graph and
// interpreter, so the forwards built from them stay independent oracles.

/** Parameters by Weft name, row-major. */
export type NamedParameters = Readonly<Record<string, ArrayLike<number>>>;

/** A lookup of `params` by name that throws, naming `forward` and the parameter, when one is missing. */
export function parameterLookup(
  params: NamedParameters,
  forward: string,
): (name: string) => ArrayLike<number> {
  return (name) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${forward} forward: no parameter ${name}`);
    return value;
  };
}

/** `x [rows, n] @ W [n, m] (+ b)`, row-major. */
export function matmulRows(
  x: ArrayLike<number>,
  rows: number,
  w: ArrayLike<number>,
  n: number,
  m: number,
  bias?: ArrayLike<number>,
): Float64Array {
  const y = new Float64Array(rows * m);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < m; j++) {
      let sum = bias === undefined ? 0 : bias[j]!;
      for (let i = 0; i < n; i++) sum += x[r * n + i]! * w[i * m + j]!;
      y[r * m + j] = sum;
    }
  return y;
}

/** `x Eᵀ` for a head `E [vocab, d]` (tied-embedding layout): `[rows, vocab]`. */
export function logitsRows(x: Float64Array, head: ArrayLike<number>, d: number, vocab: number): Float64Array {
  const rows = x.length / d;
  const logits = new Float64Array(rows * vocab);
  for (let s = 0; s < rows; s++)
    for (let token = 0; token < vocab; token++) {
      let sum = 0;
      for (let i = 0; i < d; i++) sum += x[s * d + i]! * head[token * d + i]!;
      logits[s * vocab + token] = sum;
    }
  return logits;
}

/** The rows of the embedding table `[vocab, d]` for `tokens`: `[tokens, d]`. */
export function embedTokens(table: ArrayLike<number>, tokens: readonly number[], d: number): Float64Array {
  const stream = new Float64Array(tokens.length * d);
  tokens.forEach((token, s) => {
    for (let i = 0; i < d; i++) stream[s * d + i] = table[token * d + i]!;
  });
  return stream;
}

/** RMSNorm of each row of `x [rows, d]`: `x · rsqrt(mean(x²) + eps) · γ`. */
export function rmsNormRows(x: Float64Array, gamma: ArrayLike<number>, d: number, eps = 1e-6): Float64Array {
  const y = new Float64Array(x.length);
  for (let s = 0; s < x.length / d; s++) {
    let meanSquare = 0;
    for (let i = 0; i < d; i++) meanSquare += x[s * d + i]! ** 2;
    const scale = 1 / Math.sqrt(meanSquare / d + eps);
    for (let i = 0; i < d; i++) y[s * d + i] = x[s * d + i]! * scale * gamma[i]!;
  }
  return y;
}

/** Each row of `x [rows, d]` standardized (LayerNorm without affine): `(x − mean) / √(var + eps)`. */
export function standardizeRows(x: Float64Array, d: number, eps: number): Float64Array {
  const y = new Float64Array(x.length);
  for (let s = 0; s < x.length / d; s++) {
    let mean = 0;
    for (let i = 0; i < d; i++) mean += x[s * d + i]!;
    mean /= d;
    let variance = 0;
    for (let i = 0; i < d; i++) variance += (x[s * d + i]! - mean) ** 2;
    const inv = 1 / Math.sqrt(variance / d + eps);
    for (let i = 0; i < d; i++) y[s * d + i] = (x[s * d + i]! - mean) * inv;
  }
  return y;
}

/**
 * RoPE in place on one head vector at `offset`: dim i pairs with i + dh/2, angle
 * `position · 10000^(−2i/dh)`.
 */
export function rotateHalves(x: Float64Array, offset: number, position: number, headDim: number): void {
  const half = headDim / 2;
  for (let i = 0; i < half; i++) {
    const angle = position * 10_000 ** (-(2 * i) / headDim);
    const [a, b] = [x[offset + i]!, x[offset + i + half]!];
    x[offset + i] = a * Math.cos(angle) - b * Math.sin(angle);
    x[offset + i + half] = b * Math.cos(angle) + a * Math.sin(angle);
  }
}

/** Head counts of a packed `[rows, (heads + 2·kvHeads)·headDim]` QKV projection. */
export interface HeadLayout {
  readonly heads: number;
  readonly kvHeads: number;
  readonly headDim: number;
}

/** Splits packed QKV rows (query, key, value columns) into `q [rows, H·dh]`, `k` and `v [rows, Hkv·dh]`. */
export function splitQkvRows(
  qkv: Float64Array,
  rows: number,
  { heads, kvHeads, headDim }: HeadLayout,
): [Float64Array, Float64Array, Float64Array] {
  const [qWidth, kvWidth] = [heads * headDim, kvHeads * headDim];
  const width = qWidth + 2 * kvWidth;
  const q = new Float64Array(rows * qWidth);
  const k = new Float64Array(rows * kvWidth);
  const v = new Float64Array(rows * kvWidth);
  for (let s = 0; s < rows; s++) {
    for (let c = 0; c < qWidth; c++) q[s * qWidth + c] = qkv[s * width + c]!;
    for (let c = 0; c < kvWidth; c++) {
      k[s * kvWidth + c] = qkv[s * width + qWidth + c]!;
      v[s * kvWidth + c] = qkv[s * width + qWidth + kvWidth + c]!;
    }
  }
  return [q, k, v];
}

/** Options of {@link causalSoftmaxAttentionRows}. */
export interface CausalSoftmaxOptions {
  /** Keys `p − window < t ≤ p` only (default: every earlier key). */
  readonly window?: number;
  /** A sink logit per head (or one for all), in the softmax's denominator only. */
  readonly sink?: ArrayLike<number>;
}

/**
 * Causal GQA softmax attention with scale `1/√dh` over `q [rows, H·dh]`, `k, v [rows, Hkv·dh]`
 * (query head h reads kv head ⌊h·Hkv/H⌋): `p_t = e^{s_t} / (e^{σ_h} + Σ e^{s})` with a sink σ.
 */
export function causalSoftmaxAttentionRows(
  q: Float64Array,
  k: Float64Array,
  v: Float64Array,
  { heads, kvHeads, headDim }: HeadLayout,
  { window = Number.POSITIVE_INFINITY, sink }: CausalSoftmaxOptions = {},
): Float64Array {
  const rows = q.length / (heads * headDim);
  const attended = new Float64Array(q.length);
  for (let h = 0; h < heads; h++) {
    const kvHead = Math.floor((h * kvHeads) / heads);
    const sinkLogit = sink === undefined ? Number.NEGATIVE_INFINITY : sink.length === 1 ? sink[0]! : sink[h]!;
    for (let p = 0; p < rows; p++) {
      const keys: number[] = [];
      for (let t = 0; t <= p; t++) if (p - t < window) keys.push(t);
      const scores = keys.map((t) => {
        let dot = 0;
        for (let i = 0; i < headDim; i++)
          dot += q[(p * heads + h) * headDim + i]! * k[(t * kvHeads + kvHead) * headDim + i]!;
        return dot / Math.sqrt(headDim);
      });
      const max = Math.max(sinkLogit, ...scores);
      const weights = scores.map((score) => Math.exp(score - max));
      const total = Math.exp(sinkLogit - max) + weights.reduce((sum, w) => sum + w, 0);
      keys.forEach((t, j) => {
        for (let i = 0; i < headDim; i++)
          attended[(p * heads + h) * headDim + i]! +=
            (weights[j]! / total) * v[(t * kvHeads + kvHead) * headDim + i]!;
      });
    }
  }
  return attended;
}

/** SwiGLU on packed `[rows, 2·hidden]` gate/up rows: `silu(gate) ⊙ up`, `[rows, hidden]`. */
export function swiGluRows(gateUp: Float64Array, hidden: number): Float64Array {
  const rows = gateUp.length / (2 * hidden);
  const activated = new Float64Array(rows * hidden);
  for (let s = 0; s < rows; s++)
    for (let j = 0; j < hidden; j++) {
      const gate = gateUp[s * 2 * hidden + j]!;
      activated[s * hidden + j] = (gate / (1 + Math.exp(-gate))) * gateUp[s * 2 * hidden + hidden + j]!;
    }
  return activated;
}

/** `stream + delta`, elementwise (a residual add). */
export function addRows(stream: Float64Array, delta: Float64Array): Float64Array {
  return stream.map((value, index) => value + delta[index]!);
}

/**
 * A layer's pre-norm SwiGLU MLP with its residual, `stream + SwiGLU(RMSNorm(stream) W_gateUp) W_down`,
 * reading `mlpNorm.gamma`, `mlp.wGateUp` `[d, 2·hidden]` and `mlp.wDown` `[hidden, d]` through `at`.
 */
export function swiGluMlpResidualRows(
  stream: Float64Array,
  at: (name: string) => ArrayLike<number>,
  seq: number,
  d: number,
  hidden: number,
): Float64Array {
  const gateUp = matmulRows(
    rmsNormRows(stream, at('mlpNorm.gamma'), d),
    seq,
    at('mlp.wGateUp'),
    d,
    2 * hidden,
  );
  return addRows(stream, matmulRows(swiGluRows(gateUp, hidden), seq, at('mlp.wDown'), hidden, d));
}
