import {
  addRows,
  embedTokens,
  type HeadLayout,
  logitsRows,
  matmulRows,
  type NamedParameters,
  parameterLookup,
  rmsNormRows,
  rotateHalves,
  splitQkvRows,
  swiGluMlpResidualRows,
} from './float64-loops.js';

/** Which key j (≤ i) query i sees on KV head g of a layer. */
export type Visibility = (kvHead: number, i: number, j: number) => boolean;

/** A layer's visibility from its input rows x `[seq, d]` and keys, values `[seq, Hkv·dh]` (keys before RoPE). */
export type VisibilityRule = (layer: number, x: Float64Array, k: Float64Array, v: Float64Array) => Visibility;

const TINY = { d: 32, hidden: 48, vocab: 48, layers: 2, heads: 4, kvHeads: 2, headDim: 8 } as const;

/**
 * TINY_LLAMA's forward in float64 loops from the math (RMSNorm, QKV, RoPE on dim pairs (i, i + dh/2),
 * GQA softmax attention with scale 1/√dh over the keys `visible` leaves, SwiGLU, final RMSNorm, the
 * head), independent of Weft's graph and interpreter. Returns `[seq, vocab]` row-major.
 */
export function tinyLlamaForwardFloat64(
  params: NamedParameters,
  tokens: readonly number[],
  visibility: VisibilityRule,
): Float64Array {
  const { d, hidden, vocab, layers, heads, kvHeads, headDim } = TINY;
  const layout = { heads, kvHeads, headDim };
  const seq = tokens.length;
  const weight = parameterLookup(params, 'tiny llama');
  let stream = embedTokens(weight('embedding.tokens'), tokens, d);
  for (let layer = 0; layer < layers; layer++) {
    const at = (name: string) => weight(`layers.${layer}.${name}`);
    const x = rmsNormRows(stream, at('attnNorm.gamma'), d);
    const qkv = matmulRows(x, seq, at('attn.wqkv'), d, (heads + 2 * kvHeads) * headDim);
    const [q, k, v] = splitQkvRows(qkv, seq, layout);
    const visible = visibility(layer, x, k, v);
    const rotated = k.slice();
    for (let s = 0; s < seq; s++) {
      for (let h = 0; h < heads; h++) rotateHalves(q, (s * heads + h) * headDim, s, headDim);
      for (let h = 0; h < kvHeads; h++) rotateHalves(rotated, (s * kvHeads + h) * headDim, s, headDim);
    }
    const attended = visibleAttentionRows(q, rotated, v, layout, visible);
    stream = addRows(stream, matmulRows(attended, seq, at('attn.wo'), heads * headDim, d));
    stream = swiGluMlpResidualRows(stream, at, seq, d, hidden);
  }
  return logitsRows(rmsNormRows(stream, weight('finalNorm.gamma'), d), weight('head.weight'), d, vocab);
}

/** Softmax attention of each query over the keys j ≤ i that `visible` keeps on its KV head. */
function visibleAttentionRows(
  q: Float64Array,
  k: Float64Array,
  v: Float64Array,
  { heads, kvHeads, headDim }: HeadLayout,
  visible: Visibility,
): Float64Array {
  const rows = q.length / (heads * headDim);
  const attended = new Float64Array(q.length);
  for (let h = 0; h < heads; h++) {
    const g = Math.floor((h * kvHeads) / heads);
    for (let i = 0; i < rows; i++) {
      const keys = Array.from({ length: i + 1 }, (_, j) => j).filter((j) => visible(g, i, j));
      const scores = keys.map((j) => {
        let dot = 0;
        for (let c = 0; c < headDim; c++)
          dot += q[(i * heads + h) * headDim + c]! * k[(j * kvHeads + g) * headDim + c]!;
        return dot / Math.sqrt(headDim);
      });
      const top = Math.max(...scores);
      const weights = scores.map((score) => Math.exp(score - top));
      const total = weights.reduce((sum, w) => sum + w, 0);
      keys.forEach((j, n) => {
        for (let c = 0; c < headDim; c++)
          attended[(i * heads + h) * headDim + c]! +=
            (weights[n]! / total) * v[(j * kvHeads + g) * headDim + c]!;
      });
    }
  }
  return attended;
}

/**
 * NAtS (catalog #11): per KV head g, token j's type is the argmax over t of z_j = x_j W_type
 * (column 3g + t; 0 Global, 1 Local, 2 SlidingWindow); query i ≥ j sees a Global key, a Local key
 * while i ≤ e_j (e_j the first Global token at or after j), a SlidingWindow key while i − j ≤ w.
 */
export function natsVisibility(params: NamedParameters, window: number): VisibilityRule {
  const { d, kvHeads } = TINY;
  return (layer, x) => {
    const seq = x.length / d;
    const z = matmulRows(x, seq, params[`layers.${layer}.attn.nats.wType`]!, d, 3 * kvHeads);
    const types = Array.from({ length: kvHeads }, (_, g) =>
      Array.from({ length: seq }, (_, j) => {
        let best = 0;
        for (let t = 1; t < 3; t++)
          if (z[j * 3 * kvHeads + 3 * g + t]! > z[j * 3 * kvHeads + 3 * g + best]!) best = t;
        return best;
      }),
    );
    return (g, i, j) => {
      const type = types[g]![j]!;
      if (type === 0) return true;
      if (type === 2) return i - j <= window;
      for (let n = j; n < i; n++) if (types[g]![n] === 0) return false;
      return true;
    };
  };
}

/**
 * LTE (catalog #82): per KV head the router logit c_t of x_t = concat(k_t, v_t) (keys before RoPE)
 * through three grouped convolutions of kernel 3 ('same' zero padding, SiLU) and a 1×1 projection;
 * token j is kept when c_j > 0. Query i sees j < sinks, i − j ≤ w, or a kept j in the retained
 * buffer: before query i, the token i − w − 1 leaving the window enters it when kept (not a sink),
 * and a buffer over `budget` drops its lowest logit (ties: the older).
 */
export function lteVisibility(
  params: NamedParameters,
  options: { readonly window: number; readonly budget: number; readonly sinks: number },
): VisibilityRule {
  const { window, budget, sinks } = options;
  return (layer, _x, k, v) => {
    const logits = lteRouterFloat64(params, `layers.${layer}.attn.lte`, k, v);
    return (g, i, j) => {
      if (j < sinks || i - j <= window) return true;
      const retained: number[] = [];
      for (let query = 0; query <= i; query++) {
        const leaving = query - window - 1;
        if (leaving < sinks || !(logits[g]![leaving]! > 0)) continue;
        retained.push(leaving);
        if (retained.length > budget) {
          let lowest = 0;
          for (let n = 1; n < retained.length; n++) {
            const [a, b] = [logits[g]![retained[n]!]!, logits[g]![retained[lowest]!]!];
            if (a < b || (a === b && retained[n]! < retained[lowest]!)) lowest = n;
          }
          retained.splice(lowest, 1);
        }
      }
      return retained.includes(j);
    };
  };
}

/** The router logits `[Hkv][seq]` of one layer (PyTorch cross-correlation, grouped per KV head). */
export function lteRouterFloat64(
  params: NamedParameters,
  path: string,
  k: Float64Array,
  v: Float64Array,
): number[][] {
  const { kvHeads, headDim } = TINY;
  const seq = k.length / (kvHeads * headDim);
  // features[g][c][t]: channel c < dh the key, dh ≤ c < 2dh the value.
  let features = Array.from({ length: kvHeads }, (_, g) =>
    Array.from({ length: 2 * headDim }, (_, c) =>
      Array.from({ length: seq }, (_, t) =>
        c < headDim ? k[(t * kvHeads + g) * headDim + c]! : v[(t * kvHeads + g) * headDim + c - headDim]!,
      ),
    ),
  );
  const conv = (name: string, taps: number, activate: boolean) => {
    const weight = params[`${path}.${name}.weight`]!;
    const bias = params[`${path}.${name}.bias`]!;
    const inPerGroup = features[0]!.length;
    const outPerGroup = bias.length / kvHeads;
    features = features.map((channels, g) =>
      Array.from({ length: outPerGroup }, (_, o) =>
        Array.from({ length: seq }, (_, t) => {
          const out = g * outPerGroup + o;
          let sum = bias[out]!;
          for (let c = 0; c < inPerGroup; c++)
            for (let tap = 0; tap < taps; tap++) {
              const source = t + tap - (taps - 1) / 2;
              if (source >= 0 && source < seq)
                sum += weight[(out * inPerGroup + c) * taps + tap]! * channels[c]![source]!;
            }
          return activate ? sum / (1 + Math.exp(-sum)) : sum;
        }),
      ),
    );
  };
  conv('conv1', 3, true);
  conv('conv2', 3, true);
  conv('conv3', 3, true);
  conv('projection', 1, false);
  return features.map((channels) => channels[0]!);
}
