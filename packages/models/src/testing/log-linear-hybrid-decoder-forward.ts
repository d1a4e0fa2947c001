import {
  addRows,
  causalSoftmaxAttentionRows,
  embedTokens,
  logitsRows,
  matmulRows,
  type NamedParameters,
  parameterLookup,
  rmsNormRows,
  rotateHalves,
  splitQkvRows,
  swiGluMlpResidualRows,
} from './float64-loops.js';
import { LOG_LINEAR_HYBRID_SOFTMAX_LAYER } from './log-linear-hybrid-decoder.js';

/** Fenwick levels of the hybrid's 16 positions: 0 … ⌈log2 16⌉. */
const LEVELS = 5;

const softplus = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

/**
 * The level masks of log-linear attention as the catalog (paper 109) writes them: M^0 the
 * diagonal; M^ℓ (ℓ ≥ 1) keeps s for query t iff t mod 2^ℓ ≥ 2^(ℓ−1) and
 * t − (t mod 2^(ℓ−1)) − 2^(ℓ−1) ≤ s < t − (t mod 2^(ℓ−1)). Returns the level of (t, s), or −1.
 */
function catalogLevel(t: number, s: number): number {
  if (s === t) return 0;
  for (let level = 1; level < LEVELS; level++) {
    const half = 2 ** (level - 1);
    const end = t - (t % half);
    if (t % (2 * half) >= half && end - half <= s && s < end) return level;
  }
  return -1;
}

/**
 * The forward pass of `LOG_LINEAR_HYBRID_DECODER` written out in float64 loops from the math,
 * independent of Weft's graph, interpreter and log-linear op: embedding; per layer RMSNorm, the QKV
 * projection (4 heads of 8); layer 1 causal softmax attention with RoPE; layers 0 and 2 log-linear
 * Mamba-2 from the catalog's dense form O = (QKᵀ ⊙ H) V, H_ts = A_ts Σ_ℓ M^ℓ_ts with
 * A_ts = exp(Σ_{r=s+1}^{t} a_r), M^ℓ_ts = λ_t^(ℓ) on level ℓ's bucket (see `catalogLevel`), the gates
 * from `wgates` (per head a decay logit, then 5 level logits): a = −softplus, λ = softplus; the
 * output projection, SwiGLU; final RMSNorm; logits `x Eᵀ`. Returns `[seq, vocab]` row-major.
 */
export function logLinearHybridForwardFloat64(
  params: NamedParameters,
  tokens: readonly number[],
): Float64Array {
  const [d, hidden, vocab, layers] = [32, 48, 48, 3];
  const layout = { heads: 4, kvHeads: 4, headDim: 8 };
  const { heads, headDim } = layout;
  const seq = tokens.length;
  const weight = parameterLookup(params, 'log-linear hybrid');
  const logLinearLoops = (q: Float64Array, k: Float64Array, v: Float64Array, gates: Float64Array) => {
    const out = new Float64Array(seq * heads * headDim);
    const gateWidth = heads * (1 + LEVELS);
    const decay = (r: number, h: number) => -softplus(gates[r * gateWidth + h]!);
    const lambda = (t: number, h: number, level: number) =>
      softplus(gates[t * gateWidth + heads + h * LEVELS + level]!);
    for (let h = 0; h < heads; h++)
      for (let t = 0; t < seq; t++)
        for (let s = 0; s <= t; s++) {
          const level = catalogLevel(t, s);
          if (level < 0) continue;
          let logA = 0;
          for (let r = s + 1; r <= t; r++) logA += decay(r, h);
          let dot = 0;
          for (let i = 0; i < headDim; i++)
            dot += q[(t * heads + h) * headDim + i]! * k[(s * heads + h) * headDim + i]!;
          const w = dot * Math.exp(logA) * lambda(t, h, level);
          for (let i = 0; i < headDim; i++)
            out[(t * heads + h) * headDim + i]! += w * v[(s * heads + h) * headDim + i]!;
        }
    return out;
  };

  let stream = embedTokens(weight('embedding.tokens'), tokens, d);
  const qkvWidth = 3 * heads * headDim;
  for (let layer = 0; layer < layers; layer++) {
    const at = (name: string) => weight(`layers.${layer}.${name}`);
    const normed = rmsNormRows(stream, at('attnNorm.gamma'), d);
    const [q, k, v] = splitQkvRows(matmulRows(normed, seq, at('attn.wqkv'), d, qkvWidth), seq, layout);
    let attended: Float64Array;
    if (layer === LOG_LINEAR_HYBRID_SOFTMAX_LAYER) {
      for (let s = 0; s < seq; s++)
        for (let h = 0; h < heads; h++) {
          rotateHalves(q, (s * heads + h) * headDim, s, headDim);
          rotateHalves(k, (s * heads + h) * headDim, s, headDim);
        }
      attended = causalSoftmaxAttentionRows(q, k, v, layout);
    } else {
      const gates = matmulRows(normed, seq, at('attn.wgates'), d, heads * (1 + LEVELS));
      attended = logLinearLoops(q, k, v, gates);
    }
    stream = addRows(stream, matmulRows(attended, seq, at('attn.wo'), heads * headDim, d));
    stream = swiGluMlpResidualRows(stream, at, seq, d, hidden);
  }
  return logitsRows(rmsNormRows(stream, weight('finalNorm.gamma'), d), weight('head.weight'), d, vocab);
}
