/**
 * Dense float64 forwards of the architectures written with plain loops from their definitions
 * (independent of Weft's graph, ops and reference interpreter): the second opinion the
 * architecture tests compare against. Matrices are row-major `Float64Array`s; parameters use
 * the graph's names, weights stored `[in, out]`.
 */

export type Params = Readonly<Record<string, ArrayLike<number>>>;

/** erf by its everywhere-convergent positive series `2/√π e^(−x²) Σ 2ⁿ x^(2n+1)/(2n+1)!!` (±1 past |x| 6). */
export function erf(x: number): number {
  const a = Math.abs(x);
  if (a > 6) return Math.sign(x);
  let term = a;
  let total = a;
  for (let n = 1; n < 400 && term > 1e-17 * total; n++) {
    term *= (2 * a * a) / (2 * n + 1);
    total += term;
  }
  return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * Math.exp(-a * a) * total;
}

export const gelu = (v: number): number => 0.5 * v * (1 + erf(v / Math.SQRT2));
export const silu = (v: number): number => v / (1 + Math.exp(-v));

/** `x W (+ b)` for `rows` rows of `x` `[rows, inputs]`, `W` `[inputs, outputs]`. */
export function linear(
  x: ArrayLike<number>,
  rows: number,
  w: ArrayLike<number>,
  b?: ArrayLike<number>,
): Float64Array {
  const inputs = x.length / rows;
  const outputs = w.length / inputs;
  const y = new Float64Array(rows * outputs);
  for (let r = 0; r < rows; r++)
    for (let o = 0; o < outputs; o++) {
      let total = b === undefined ? 0 : b[o]!;
      for (let i = 0; i < inputs; i++) total += x[r * inputs + i]! * w[i * outputs + o]!;
      y[r * outputs + o] = total;
    }
  return y;
}

/** LayerNorm over rows of `width` (population variance, ε inside the root); no affine when `gamma` is absent. */
export function layerNorm(
  x: ArrayLike<number>,
  width: number,
  eps: number,
  gamma?: ArrayLike<number>,
  beta?: ArrayLike<number>,
): Float64Array {
  const y = new Float64Array(x.length);
  for (let r = 0; r < x.length / width; r++) {
    let mean = 0;
    for (let i = 0; i < width; i++) mean += x[r * width + i]!;
    mean /= width;
    let variance = 0;
    for (let i = 0; i < width; i++) variance += (x[r * width + i]! - mean) ** 2;
    const inv = 1 / Math.sqrt(variance / width + eps);
    for (let i = 0; i < width; i++) {
      const n = (x[r * width + i]! - mean) * inv;
      y[r * width + i] = gamma === undefined ? n : n * gamma[i]! + (beta?.[i] ?? 0);
    }
  }
  return y;
}

export const addInto = (a: Float64Array, b: ArrayLike<number>): Float64Array => {
  for (let i = 0; i < a.length; i++) a[i]! += b[i]!;
  return a;
};

/**
 * Softmax multi-head attention (scale 1/√dk): queries `[S, H·dk]`, keys and values `[T, H·dk]`
 * with head h in columns [h·dk, (h+1)·dk), `keep(i, j)` the mask. Returns `[S, H·dk]`.
 */
export function attend(
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  shape: { queries: number; keys: number; heads: number; headDim: number },
  keep: (i: number, j: number) => boolean,
): Float64Array {
  const { queries, keys, heads, headDim } = shape;
  const width = heads * headDim;
  const out = new Float64Array(queries * width);
  const scores = new Float64Array(keys);
  for (let h = 0; h < heads; h++)
    for (let i = 0; i < queries; i++) {
      let best = -Infinity;
      for (let j = 0; j < keys; j++) {
        if (!keep(i, j)) {
          scores[j] = -Infinity;
          continue;
        }
        let dot = 0;
        for (let d = 0; d < headDim; d++)
          dot += q[i * width + h * headDim + d]! * k[j * width + h * headDim + d]!;
        scores[j] = dot / Math.sqrt(headDim);
        best = Math.max(best, scores[j]!);
      }
      let total = 0;
      for (let j = 0; j < keys; j++) {
        scores[j] = keep(i, j) ? Math.exp(scores[j]! - best) : 0;
        total += scores[j]!;
      }
      for (let j = 0; j < keys; j++)
        for (let d = 0; d < headDim; d++)
          out[i * width + h * headDim + d]! += (scores[j]! / total) * v[j * width + h * headDim + d]!;
    }
  return out;
}

/** Columns [start, end) of a `[rows, width]` matrix. */
export function columns(x: ArrayLike<number>, rows: number, start: number, end: number): Float64Array {
  const width = x.length / rows;
  const y = new Float64Array(rows * (end - start));
  for (let r = 0; r < rows; r++)
    for (let c = start; c < end; c++) y[r * (end - start) + c - start] = x[r * width + c]!;
  return y;
}

/** Rows [start, end) of a `[rows, width]` matrix. */
export const rowsOf = (x: Float64Array, width: number, start: number, end: number): Float64Array =>
  x.slice(start * width, end * width);

/** Self-attention block `${name}` (fused `wqkv` [+ `bqkv`], `wo` [+ `bo`]) over `[S, d]`, equal heads and kv heads. */
export function selfAttention(
  p: Params,
  name: string,
  x: Float64Array,
  rows: number,
  heads: number,
  headDim: number,
  keep: (i: number, j: number) => boolean,
): Float64Array {
  const qkv = linear(x, rows, p[`${name}.wqkv`]!, p[`${name}.bqkv`]);
  const w = heads * headDim;
  const [q, k, v] = [0, 1, 2].map((part) => columns(qkv, rows, part * w, (part + 1) * w)) as [
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  const attended = attend(q, k, v, { queries: rows, keys: rows, heads, headDim }, keep);
  return linear(attended, rows, p[`${name}.wo`]!, p[`${name}.bo`]);
}

/** Cross-attention `${name}` (`wq`, fused `wkv`, `wo`): queries from `x` `[S, d]`, keys and values from `memory` `[T, d]`. */
export function crossAttention(
  p: Params,
  name: string,
  x: Float64Array,
  rows: number,
  memory: Float64Array,
  memoryRows: number,
  heads: number,
  headDim: number,
): Float64Array {
  const w = heads * headDim;
  const q = linear(x, rows, p[`${name}.wq`]!);
  const kv = linear(memory, memoryRows, p[`${name}.wkv`]!);
  const attended = attend(
    q,
    columns(kv, memoryRows, 0, w),
    columns(kv, memoryRows, w, 2 * w),
    { queries: rows, keys: memoryRows, heads, headDim },
    () => true,
  );
  return linear(attended, rows, p[`${name}.wo`]!);
}

/** GELU MLP `${name}` (`wUp`, `wDown`, biases `bUp`, `bDown` when present). */
export function geluMlp(p: Params, name: string, x: Float64Array, rows: number): Float64Array {
  const up = linear(x, rows, p[`${name}.wUp`]!, p[`${name}.bUp`]).map(gelu);
  return linear(up, rows, p[`${name}.wDown`]!, p[`${name}.bDown`]);
}

/** LayerNorm with `${name}.gamma` and `${name}.beta`. */
export const namedLayerNorm = (p: Params, name: string, x: Float64Array, width: number, eps: number) =>
  layerNorm(x, width, eps, p[`${name}.gamma`], p[`${name}.beta`]);
