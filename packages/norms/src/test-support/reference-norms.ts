/**
 * Float64 reference implementations of the normalization layers, written from the papers' formulas
 * with plain loops over row-major arrays and independent of the IR: the oracle of the norm tests.
 */

/** A row-major float64 tensor. */
export interface Array64 {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

const product = (dims: readonly number[]): number => dims.reduce((count, dim) => count * dim, 1);

/** Mean and population variance of `values` at `positions` (two passes). */
function rowMoments(
  values: ArrayLike<number>,
  positions: readonly number[],
): { mean: number; variance: number } {
  let total = 0;
  for (const p of positions) total += values[p]!;
  const mean = total / positions.length;
  let squares = 0;
  for (const p of positions) squares += (values[p]! - mean) ** 2;
  return { mean, variance: squares / positions.length };
}

/** Calls `visit(row, positions)` for each row of `shape` whose trailing `trailing` axes are reduced. */
function forEachRow(
  shape: readonly number[],
  trailing: number,
  visit: (row: number, positions: number[]) => void,
): void {
  const length = product(shape.slice(shape.length - trailing));
  const rows = product(shape.slice(0, shape.length - trailing));
  for (let row = 0; row < rows; row++)
    visit(
      row,
      Array.from({ length }, (_, i) => row * length + i),
    );
}

/** LayerNorm over the trailing `trailing` axes: `γ (x − μ)/√(σ² + ε) + β`. */
export function layerNormReference(
  x: Array64,
  trailing: number,
  eps: number,
  gamma?: ArrayLike<number>,
  beta?: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(x.data.length);
  forEachRow(x.shape, trailing, (_, positions) => {
    const { mean, variance } = rowMoments(x.data, positions);
    positions.forEach((p, i) => {
      out[p] = ((x.data[p]! - mean) / Math.sqrt(variance + eps)) * (gamma?.[i] ?? 1) + (beta?.[i] ?? 0);
    });
  });
  return out;
}

/** RMSNorm over the last axis: `g x/√(mean x² + ε)` (inside) or `g x/(√mean x² + ε)` (outside). */
export function rmsNormReference(
  x: Array64,
  eps: number,
  placement: 'inside' | 'outside',
  gain?: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(x.data.length);
  forEachRow(x.shape, 1, (_, positions) => {
    const meanSquare = positions.reduce((total, p) => total + x.data[p]! ** 2, 0) / positions.length;
    const denominator = placement === 'inside' ? Math.sqrt(meanSquare + eps) : Math.sqrt(meanSquare) + eps;
    positions.forEach((p, i) => {
      out[p] = (x.data[p]! / denominator) * (gain?.[i] ?? 1);
    });
  });
  return out;
}

/** `s ⊙ x / max(‖x‖₂, ε)` over the last axis; `scale` has length 1 (scalar) or d. */
export function l2NormReference(x: Array64, eps: number, scale?: ArrayLike<number>): Float64Array {
  const out = new Float64Array(x.data.length);
  forEachRow(x.shape, 1, (_, positions) => {
    const norm = Math.sqrt(positions.reduce((total, p) => total + x.data[p]! ** 2, 0));
    positions.forEach((p, i) => {
      const s = scale === undefined ? 1 : scale.length === 1 ? scale[0]! : scale[i]!;
      out[p] = (s * x.data[p]!) / Math.max(norm, eps);
    });
  });
  return out;
}

/** GroupNorm of `[B, C, ...spatial]` with `groups` groups and per-channel `γ`, `β`. */
export function groupNormReference(
  x: Array64,
  groups: number,
  eps: number,
  gamma?: ArrayLike<number>,
  beta?: ArrayLike<number>,
): Float64Array {
  const [batch, channels] = x.shape as [number, number];
  const spatial = product(x.shape.slice(2));
  const perGroup = (channels / groups) * spatial;
  const out = new Float64Array(x.data.length);
  for (let b = 0; b < batch; b++) {
    for (let g = 0; g < groups; g++) {
      const start = (b * groups + g) * perGroup;
      const positions = Array.from({ length: perGroup }, (_, i) => start + i);
      const { mean, variance } = rowMoments(x.data, positions);
      for (const p of positions) {
        const channel = Math.floor(p / spatial) % channels;
        out[p] =
          ((x.data[p]! - mean) / Math.sqrt(variance + eps)) * (gamma?.[channel] ?? 1) +
          (beta?.[channel] ?? 0);
      }
    }
  }
  return out;
}

/** Per-(b, c) statistics over the spatial positions of `[B, C, ...spatial]`, counting only where `mask[b, s]` ≠ 0. */
export function instanceMoments(
  x: Array64,
  mask?: ArrayLike<number>,
): { mean: Float64Array; variance: Float64Array } {
  const [batch, channels] = x.shape as [number, number];
  const spatial = product(x.shape.slice(2));
  const mean = new Float64Array(batch * channels);
  const variance = new Float64Array(batch * channels);
  for (let b = 0; b < batch; b++) {
    const valid = Array.from({ length: spatial }, (_, s) => s).filter(
      (s) => mask === undefined || mask[b * spatial + s] !== 0,
    );
    for (let c = 0; c < channels; c++) {
      const row = b * channels + c;
      if (valid.length === 0) continue;
      const stats = rowMoments(
        x.data,
        valid.map((s) => row * spatial + s),
      );
      mean[row] = stats.mean;
      variance[row] = stats.variance;
    }
  }
  return { mean, variance };
}

/**
 * InstanceNorm with optional mask (padded outputs 0) and a per-(b, c) affine map:
 * `scale[b·C + c]`, `shift[b·C + c]` (per-channel parameters are repeated over `b` by the caller).
 */
export function instanceNormReference(
  x: Array64,
  eps: number,
  options: { mask?: ArrayLike<number>; scale?: ArrayLike<number>; shift?: ArrayLike<number> } = {},
): Float64Array {
  const [batch, channels] = x.shape as [number, number];
  const spatial = product(x.shape.slice(2));
  const { mean, variance } = instanceMoments(x, options.mask);
  const out = new Float64Array(x.data.length);
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < channels; c++) {
      const row = b * channels + c;
      for (let s = 0; s < spatial; s++) {
        const p = row * spatial + s;
        if (options.mask !== undefined && options.mask[b * spatial + s] === 0) continue;
        const normalized = (x.data[p]! - mean[row]!) / Math.sqrt(variance[row]! + eps);
        out[p] = normalized * (options.scale?.[row] ?? 1) + (options.shift?.[row] ?? 0);
      }
    }
  }
  return out;
}

/** BatchNorm with running statistics over `[B, C, ...spatial]`. */
export function batchNormReference(
  x: Array64,
  runningMean: ArrayLike<number>,
  runningVar: ArrayLike<number>,
  eps: number,
  gamma?: ArrayLike<number>,
  beta?: ArrayLike<number>,
): Float64Array {
  const channels = x.shape[1]!;
  const spatial = product(x.shape.slice(2));
  return x.data.map((value, p) => {
    const c = Math.floor(p / spatial) % channels;
    return (
      ((value - runningMean[c]!) / Math.sqrt(runningVar[c]! + eps)) * (gamma?.[c] ?? 1) + (beta?.[c] ?? 0)
    );
  });
}

/** `v W + b` for `v: [B, in]`, `W: [in, out]`, `b: [out]`. */
export function linearReference(
  v: ArrayLike<number>,
  batch: number,
  weight: ArrayLike<number>,
  bias: ArrayLike<number>,
): Float64Array {
  const width = bias.length;
  const inputs = weight.length / width;
  const out = new Float64Array(batch * width);
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < width; o++) {
      let total = bias[o]!;
      for (let i = 0; i < inputs; i++) total += v[b * inputs + i]! * weight[i * width + o]!;
      out[b * width + o] = total;
    }
  }
  return out;
}

/** AdaLIN/ILN mixture `γ (ρ â_I + (1 − ρ) â_L) + β`, `γ`, `β` per (b, c), `ρ` clipped to [0, 1]. */
export function adaLinReference(
  x: Array64,
  rho: ArrayLike<number>,
  scale: ArrayLike<number>,
  shift: ArrayLike<number>,
  eps: number,
  unbiased: boolean,
): Float64Array {
  const [batch, channels] = x.shape as [number, number];
  const spatial = product(x.shape.slice(2));
  const out = new Float64Array(x.data.length);
  const correct = (variance: number, n: number) => (unbiased ? (variance * n) / (n - 1) : variance);
  for (let b = 0; b < batch; b++) {
    const sample = Array.from({ length: channels * spatial }, (_, i) => b * channels * spatial + i);
    const layer = rowMoments(x.data, sample);
    const layerVariance = correct(layer.variance, channels * spatial);
    for (let c = 0; c < channels; c++) {
      const row = b * channels + c;
      const positions = Array.from({ length: spatial }, (_, s) => row * spatial + s);
      const instance = rowMoments(x.data, positions);
      const instanceVariance = correct(instance.variance, spatial);
      const r = Math.min(Math.max(rho[c]!, 0), 1);
      for (const p of positions) {
        const iHat = (x.data[p]! - instance.mean) / Math.sqrt(instanceVariance + eps);
        const lHat = (x.data[p]! - layer.mean) / Math.sqrt(layerVariance + eps);
        out[p] = scale[row]! * (r * iHat + (1 - r) * lHat) + shift[row]!;
      }
    }
  }
  return out;
}

/** 2-D convolution with zero padding `pad` on every side, stride 1: `[B, Cin, H, W]` → `[B, Cout, H', W']`. */
export function conv2dReference(x: Array64, weight: Array64, bias: ArrayLike<number>, pad: number): Array64 {
  const [batch, cin, height, width] = x.shape as [number, number, number, number];
  const [cout, , kh, kw] = weight.shape as [number, number, number, number];
  const oh = height + 2 * pad - kh + 1;
  const ow = width + 2 * pad - kw + 1;
  const data = new Float64Array(batch * cout * oh * ow);
  for (let b = 0; b < batch; b++)
    for (let o = 0; o < cout; o++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++) {
          let total = bias[o]!;
          for (let c = 0; c < cin; c++)
            for (let u = 0; u < kh; u++)
              for (let v = 0; v < kw; v++) {
                const r = i + u - pad;
                const s = j + v - pad;
                if (r < 0 || r >= height || s < 0 || s >= width) continue;
                total +=
                  x.data[((b * cin + c) * height + r) * width + s]! *
                  weight.data[((o * cin + c) * kh + u) * kw + v]!;
              }
          data[((b * cout + o) * oh + i) * ow + j] = total;
        }
  return { shape: [batch, cout, oh, ow], data };
}

/** Nearest-neighbour resize of `[B, C, H', W']` to `height × width` (source index `⌊i·H'/H⌋`). */
export function nearestResizeReference(x: Array64, height: number, width: number): Array64 {
  const [batch, channels, sh, sw] = x.shape as [number, number, number, number];
  const data = new Float64Array(batch * channels * height * width);
  for (let bc = 0; bc < batch * channels; bc++)
    for (let i = 0; i < height; i++)
      for (let j = 0; j < width; j++) {
        data[(bc * height + i) * width + j] =
          x.data[(bc * sh + Math.floor((i * sh) / height)) * sw + Math.floor((j * sw) / width)]!;
      }
  return { shape: [batch, channels, height, width], data };
}
