// Mega's moving-average gated attention block (Ma et al. 2023, catalog paper 70; fairseq
// `MovingAverageGatedAttention.forward`) in float64, written from the paper and the reference
// code, independently of the graph: per batch, x' = LayerNorm(x); v = SiLU(x' W_v + b_v);
// m = SiLU(EMA(x') + ω x') (the convolution form of dense-mega-ema.ts); [u, z, r, ĥ] = m W + b;
// u = σ(u); z, r = SiLU; q = z γ₀ + β₀, k = z γ₁ + β₁; scores q kᵀ/√z + b_rel (softmax) or
// f(q kᵀ/n + b_rel) (laplace, relu²; n = visible keys); H = SiLU(ĥ + ((A v) ⊙ r) W_h + b_h);
// y = x + u (H − x), or LayerNorm of it (post-norm).

import { block, layerNormRows, type Matrix, matrix, product, type Values } from './dense-matrix.js';
import { denseMegaEma } from './dense-mega-ema.js';

/** Sizes and switches of {@link denseMegaBlock}, as `megaBlock`'s options. */
export interface DenseMegaBlockShape {
  readonly batch: number;
  readonly length: number;
  readonly width: number;
  readonly zDim: number;
  readonly hDim: number;
  readonly components: number;
  readonly bidirectional?: boolean;
  readonly causal?: boolean;
  readonly attentionFunction?: 'softmax' | 'laplace' | 'relu2';
  readonly maxPositions?: number;
  readonly prenorm?: boolean;
  /** fairseq's chunked attention: keys of the query's chunk of this many positions only. */
  readonly attentionChunk?: number;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const silu = (x: number) => x * sigmoid(x);

// Abramowitz–Stegun 7.1.26 is too coarse for a float64 oracle; erf by its Maclaurin series
// (|x| < 3) and the continued fraction of erfc beyond, both to ~1e-15.
function erf(x: number): number {
  const a = Math.abs(x);
  if (a < 3) {
    let term = a;
    let total = a;
    for (let n = 1; n < 100; n++) {
      term *= (-a * a) / n;
      const next = term / (2 * n + 1);
      total += next;
      if (Math.abs(next) < 1e-17 * Math.abs(total)) break;
    }
    return Math.sign(x) * ((2 / Math.sqrt(Math.PI)) * total);
  }
  let fraction = 0;
  for (let n = 60; n >= 1; n--) fraction = n / 2 / (a + fraction);
  const erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / (a + fraction);
  return Math.sign(x) * (1 - erfc);
}

/** y `[B, L, D]` of the block for `values` (inputs and parameters by `megaBlock`'s names, `name`). */
export function denseMegaBlock(values: Values, name: string, shape: DenseMegaBlockShape): Float64Array {
  const { batch, length: L, width: D, zDim, hDim, components } = shape;
  const fn = shape.attentionFunction ?? 'softmax';
  const positions = shape.maxPositions ?? Math.min(L, shape.attentionChunk ?? L);
  const prenorm = shape.prenorm !== false;
  const at = (suffix: string) => values[`${name}.${suffix}`]!;
  const affine = (rows: Matrix, part: string): Matrix => {
    const bias = at(`${part}.bias`);
    return product(rows, matrix(values, `${name}.${part}.weight`, bias.length)).map((row) =>
      row.map((value, c) => value + bias[c]!),
    );
  };
  const x = values.x!;
  const out = new Float64Array(batch * L * D);
  for (let b = 0; b < batch; b++) {
    const rows = block(x, b, L, D);
    const normed = prenorm ? layerNormRows(rows, at('norm.gamma'), at('norm.beta')) : rows;
    const v = affine(normed, 'v').map((row) => row.map(silu));
    const ema = denseMegaEma(
      { batch: 1, length: L, channels: D, components, bidirectional: shape.bidirectional === true },
      normed.flat(),
      {
        delta: at('ema.delta'),
        alpha: at('ema.alpha'),
        beta: at('ema.beta'),
        gamma: at('ema.gamma'),
        omega: at('ema.omega'),
      },
    );
    const base = affine(block(ema, 0, L, D), 'mx');
    const gamma = at('qk.gamma');
    const beta = at('qk.beta');
    const z = base.map((row) => row.slice(D, D + zDim).map(silu));
    const q = z.map((row) => row.map((value, c) => value * gamma[c]! + beta[c]!));
    const k = z.map((row) => row.map((value, c) => value * gamma[zDim + c]! + beta[zDim + c]!));
    const bias = at('relPosBias');
    const attended: Matrix = [];
    for (let i = 0; i < L; i++) {
      // The keys the query sees: [first, last) — its chunk's (fairseq chunks the sequence), causal inside.
      const size = shape.attentionChunk ?? L;
      const first = Math.floor(i / size) * size;
      const last = shape.causal === true ? i + 1 : Math.min(first + size, L);
      const visible = last - first;
      const scores = Array.from({ length: visible }, (_, offset) => {
        const j = first + offset;
        const dot = q[i]!.reduce((total, value, c) => total + value * k[j]![c]!, 0);
        const relative = bias[j - i + positions - 1]!;
        return fn === 'softmax' ? dot / Math.sqrt(zDim) + relative : dot / visible + relative;
      });
      let weights: number[];
      if (fn === 'softmax') {
        const max = Math.max(...scores);
        const exps = scores.map((s) => Math.exp(s - max));
        const sum = exps.reduce((a, c) => a + c, 0);
        weights = exps.map((e) => e / sum);
      } else if (fn === 'relu2') weights = scores.map((s) => Math.max(s, 0) ** 2);
      else
        weights = scores.map(
          (s) => 0.5 * (1 + erf((s - Math.sqrt(0.5)) / (Math.sqrt(1 / (4 * Math.PI)) * Math.SQRT2))),
        );
      attended.push(
        Array.from({ length: hDim }, (_, c) =>
          weights.reduce((total, w, offset) => total + w * v[first + offset]![c]!, 0),
        ),
      );
    }
    const gated = attended.map((row, i) => row.map((value, c) => value * silu(base[i]![D + zDim + c]!)));
    const projected = affine(gated, 'h');
    let y = rows.map((row, i) =>
      row.map((xValue, c) => {
        const u = sigmoid(base[i]![c]!);
        const h = silu(base[i]![D + zDim + hDim + c]! + projected[i]![c]!);
        return xValue + u * (h - xValue);
      }),
    );
    if (!prenorm) y = layerNormRows(y, at('norm.gamma'), at('norm.beta'));
    out.set(y.flat(), b * L * D);
  }
  return out;
}
