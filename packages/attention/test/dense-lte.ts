import { dot, rowOf, softmaxRow, weightedValues } from './dense-heads.js';

/** Sizes of an LTE problem: `[1, heads, length, dim]` q, k, v (as many KV heads as query heads). */
export interface LteSizes {
  readonly heads: number;
  readonly length: number;
  readonly dim: number;
  readonly window: number;
  readonly sinks: number;
}

/**
 * LTE's router written from the paper and `LTEConvolutionStack` (He & Garner), float64: per KV head
 * x_t = concat(k_t, v_t) (2d channels), three Conv2d (1, 3) layers with padding 'same', groups = KV
 * heads, channels halving, each followed by SiLU, then a grouped 1×1 projection: c `[heads][length]`.
 */
export function denseLteRouter(
  sizes: LteSizes,
  values: Readonly<Record<string, ArrayLike<number>>>,
): number[][] {
  const { heads, length, dim } = sizes;
  const rows = { heads, length, dim };
  const silu = (x: number) => x / (1 + Math.exp(-x));
  return Array.from({ length: heads }, (_, h) => {
    // channels × length of this head's group
    let x: number[][] = Array.from({ length: 2 * dim }, (_, c) =>
      Array.from({ length }, (_, t) =>
        c < dim ? rowOf(values.k!, rows, 0, h, t)[c]! : rowOf(values.v!, rows, 0, h, t)[c - dim]!,
      ),
    );
    for (const [layer, outPerGroup] of [
      ['conv1', dim],
      ['conv2', dim / 2],
      ['conv3', dim / 4],
    ] as const) {
      const weight = values[`lte.${layer}.weight`]!;
      const bias = values[`lte.${layer}.bias`]!;
      const inPerGroup = x.length;
      x = Array.from({ length: outPerGroup }, (_, o) => {
        const out = h * outPerGroup + o;
        return Array.from({ length }, (_, t) => {
          let total = Number(bias[out]);
          for (let c = 0; c < inPerGroup; c++)
            for (let tap = 0; tap < 3; tap++) {
              const source = t + tap - 1;
              if (source < 0 || source >= length) continue;
              total += x[c]![source]! * Number(weight[(out * inPerGroup + c) * 3 + tap]);
            }
          return silu(total);
        });
      });
    }
    const weight = values['lte.projection.weight']!;
    const bias = values['lte.projection.bias']!;
    return Array.from({ length }, (_, t) =>
      x.reduce(
        (total, channel, c) => total + channel[t]! * Number(weight[h * x.length + c]),
        Number(bias[h]),
      ),
    );
  });
}

/**
 * LTE attention, float64: query i keeps key j when j ≤ i and (i − j ≤ w, or r_j = sigmoid(c_j) − 0.5 > 0,
 * or j < sinks) — the source's `prepare_lte_mask` — then softmax(q_i k_jᵀ/√d over the kept j) V.
 */
export function denseLte(sizes: LteSizes) {
  const { heads, length, dim, window, sinks } = sizes;
  const rows = { heads, length, dim };
  return (values: Readonly<Record<string, ArrayLike<number>>>) => {
    const logits = denseLteRouter(sizes, values);
    const keep = logits.map((perHead) =>
      perHead.map((c, j) => 1 / (1 + Math.exp(-c)) - 0.5 > 0 || j < sinks),
    );
    const dense = { batch: 1, heads, queries: length, keys: length, headDim: dim, valueDim: dim };
    return {
      logits: Float64Array.from(logits.flat()),
      output: weightedValues(dense, values.v!, (b, h, i) => {
        const query = rowOf(values.q!, rows, b, h, i);
        const keys = Array.from({ length }, (_, j) => j);
        return softmaxRow(
          keys.map((j) => dot(query, rowOf(values.k!, rows, b, h, j)) / Math.sqrt(dim)),
          keys.map((j) => j <= i && (i - j <= window || keep[h]![j]!)),
        );
      }),
    };
  };
}
