import type { Values } from './dense-matrix.js';

/** Sizes of a `[batch, channels, height, width]` feature map. */
export interface DenseFeatureMapSizes {
  readonly batch: number;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * CORE-ReID's ECAB and CBAM spatial attention (catalog paper 6) written from the paper's code, in
 * float64 with plain loops, independent of the op: per image, m_c = max_{h,w} x, a_c = mean_{h,w} x,
 * se = six bias-free 1×1 convolutions (C → C/4 → C/16 → C/64 → C/16 → C/4 → C, ReLU between), each
 * out_o = Σ_i W[i, o] in_i; w = σ(se(m) + se(a)); y = x · w_c (m_c + a_c); s = σ(Σ_{k,dy,dx} K[k, dy, dx]
 * · stat_k(h + dy − 3, w + dx − 3)) with stat_0 = mean_c y, stat_1 = max_c y, zero outside the map;
 * out = y · s. Returns `output` (out) and `gate` (w).
 */
export function denseCoreReid(
  values: Values,
  sizes: DenseFeatureMapSizes,
): { output: Float64Array; gate: Float64Array } {
  const { batch, channels, height, width } = sizes;
  const plane = height * width;
  const x = values.x!;
  const widths = [1, 4, 16, 64, 16, 4, 1].map((divisor) => channels / divisor);
  const se = (vector: readonly number[]) =>
    widths.slice(1).reduce((hidden, out, layer) => {
      const weight = values[`coreReid.ecab.se${layer}`]!;
      const next = Array.from({ length: out }, (_, o) =>
        hidden.reduce((total, value, i) => total + value * Number(weight[i * out + o]), 0),
      );
      return layer < 5 ? next.map((value) => Math.max(0, value)) : next;
    }, vector);
  const output = new Float64Array(batch * channels * plane);
  const gate = new Float64Array(batch * channels);
  const kernel = values['coreReid.spatial.weight']!;
  for (let b = 0; b < batch; b++) {
    const at = (c: number, p: number) => Number(x[(b * channels + c) * plane + p]);
    const maxima = Array.from({ length: channels }, (_, c) =>
      Math.max(...Array.from({ length: plane }, (_, p) => at(c, p))),
    );
    const means = Array.from(
      { length: channels },
      (_, c) => Array.from({ length: plane }, (_, p) => at(c, p)).reduce((a, v) => a + v, 0) / plane,
    );
    const [fromMax, fromMean] = [se(maxima), se(means)];
    const y = Array.from({ length: channels }, (_, c) => {
      const w = sigmoid(fromMax[c]! + fromMean[c]!);
      gate[b * channels + c] = w;
      return Array.from({ length: plane }, (_, p) => at(c, p) * w * (maxima[c]! + means[c]!));
    });
    const statistic = (k: number, row: number, column: number) => {
      if (row < 0 || row >= height || column < 0 || column >= width) return 0;
      const column_ = y.map((channel) => channel[row * width + column]!);
      return k === 0 ? column_.reduce((a, v) => a + v, 0) / channels : Math.max(...column_);
    };
    for (let row = 0; row < height; row++)
      for (let column = 0; column < width; column++) {
        let logit = 0;
        for (let k = 0; k < 2; k++)
          for (let dy = 0; dy < 7; dy++)
            for (let dx = 0; dx < 7; dx++)
              logit += Number(kernel[(k * 7 + dy) * 7 + dx]) * statistic(k, row + dy - 3, column + dx - 3);
        const s = sigmoid(logit);
        for (let c = 0; c < channels; c++)
          output[(b * channels + c) * plane + row * width + column] = y[c]![row * width + column]! * s;
      }
  }
  return { output, gate };
}
