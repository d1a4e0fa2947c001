import { block, matrix, product, type Values } from './dense-matrix.js';

/**
 * Catalog #32's ALR network in float64 with plain loops: Y = reshape(W₂ ReLU(W₁ vec(X) + b₁) + b₂)
 * per sequence, parameters named as `sequenceFeedForward`'s with name `ffn`.
 */
export function denseSequenceFeedForward(values: Values, batch: number): Float64Array {
  const w1 = values['ffn.hidden.weight']!;
  const b1 = values['ffn.hidden.bias']!;
  const w2 = values['ffn.output.weight']!;
  const b2 = values['ffn.output.bias']!;
  const flat = b2.length;
  const hidden = b1.length;
  const out = new Float64Array(batch * flat);
  for (let b = 0; b < batch; b++) {
    const h = Array.from({ length: hidden }, (_, j) => {
      let a = Number(b1[j]);
      for (let i = 0; i < flat; i++) a += Number(values.x![b * flat + i]) * Number(w1[i * hidden + j]);
      return Math.max(0, a);
    });
    for (let i = 0; i < flat; i++) {
      let a = Number(b2[i]);
      for (let j = 0; j < hidden; j++) a += h[j]! * Number(w2[j * flat + i]);
      out[b * flat + i] = a;
    }
  }
  return out;
}

/**
 * Catalog #37's layerwise shortcut in float64 with plain loops: M = [f_0(tap0); f_1(tap1)] with
 * f_l(h) = ReLU(h W₁ + b₁) W₂ + b₂; per head, token t attends to memory rows (l, j) with j ≤ t by
 * softmax(q·k/√d_h); the concatenated heads meet W_O. Parameters named as
 * `layerwiseShortcutAttention`'s with name `shortcuts`.
 */
export function denseLayerwiseShortcuts(
  values: Values,
  sizes: { batch: number; rows: number; width: number; heads: number; taps: number },
): Float64Array {
  const { batch, rows, width, heads, taps } = sizes;
  const headDim = width / heads;
  const out: number[] = [];
  for (let b = 0; b < batch; b++) {
    const x = block(values.x!, b, rows, width);
    const memory: { row: number[]; position: number }[] = [];
    for (let l = 0; l < taps; l++) {
      const name = `shortcuts.tap${l}`;
      const hiddenBias = values[`${name}.hidden.bias`]!;
      const inner = product(
        block(values[`tap${l}`]!, b, rows, width),
        matrix(values, `${name}.hidden.weight`, hiddenBias.length),
      ).map((row) => row.map((a, c) => Math.max(0, a + Number(hiddenBias[c]))));
      const outputBias = values[`${name}.output.bias`]!;
      product(inner, matrix(values, `${name}.output.weight`, width)).forEach((row, j) => {
        memory.push({ row: row.map((a, c) => a + Number(outputBias[c])), position: j });
      });
    }
    const q = product(x, matrix(values, 'shortcuts.query', width));
    const k = product(
      memory.map((m) => m.row),
      matrix(values, 'shortcuts.key', width),
    );
    const v = product(
      memory.map((m) => m.row),
      matrix(values, 'shortcuts.value', width),
    );
    const concatenated = q.map((query, t) => {
      const row = new Array<number>(width).fill(0);
      for (let h = 0; h < heads; h++) {
        const visible = memory.map((_, r) => r).filter((r) => memory[r]!.position <= t);
        const scores = visible.map((r) => {
          let dot = 0;
          for (let c = h * headDim; c < (h + 1) * headDim; c++) dot += query[c]! * k[r]![c]!;
          return dot / Math.sqrt(headDim);
        });
        const top = Math.max(...scores);
        const weights = scores.map((s) => Math.exp(s - top));
        const total = weights.reduce((s, w) => s + w, 0);
        visible.forEach((r, i) => {
          for (let c = h * headDim; c < (h + 1) * headDim; c++) row[c]! += (weights[i]! / total) * v[r]![c]!;
        });
      }
      return row;
    });
    out.push(...product(concatenated, matrix(values, 'shortcuts.output', width)).flat());
  }
  return Float64Array.from(out);
}

/**
 * Catalog #58's LAMA pooling in float64 with plain loops: e_{k,t} = tanh((p_kᵀc)(q_kᵀh_t)), divided
 * inside the tanh by ‖c‖‖h_t‖ when `normalize`; a_k = softmax_t(e_k); M_k = Σ_t a_{k,t} h_t.
 * Parameters `${name}.p`, `${name}.q` `[d, K]`, `${name}.context` `[d]`; returns `[batch, K, d]`.
 */
export function denseLamaPooling(
  values: Values,
  name: string,
  sizes: { batch: number; rows: number; width: number; heads: number; normalize: boolean },
): Float64Array {
  const { batch, rows, width, heads, normalize } = sizes;
  const p = matrix(values, `${name}.p`, heads);
  const q = matrix(values, `${name}.q`, heads);
  const c = Array.from({ length: width }, (_, i) => Number(values[`${name}.context`]![i]));
  const norm = (x: number[]) => Math.sqrt(x.reduce((s, a) => s + a * a, 0));
  const out: number[] = [];
  for (let b = 0; b < batch; b++) {
    const h = block(values.h!, b, rows, width);
    for (let k = 0; k < heads; k++) {
      const context = c.reduce((s, a, i) => s + p[i]![k]! * a, 0);
      const energies = h.map((row) => {
        const bilinear = context * row.reduce((s, a, i) => s + q[i]![k]! * a, 0);
        return Math.tanh(normalize ? bilinear / (norm(c) * norm(row)) : bilinear);
      });
      const top = Math.max(...energies);
      const weights = energies.map((e) => Math.exp(e - top));
      const total = weights.reduce((s, w) => s + w, 0);
      for (let i = 0; i < width; i++)
        out.push(h.reduce((s, row, t) => s + (weights[t]! / total) * row[i]!, 0));
    }
  }
  return Float64Array.from(out);
}

/**
 * Catalog #98 (architecture 2) in float64 with plain loops: for each token t,
 * h̃_t = Σ_j softmax_j((x_t W_q)·(h^(j)_t W_k)/√d) h^(j)_t W_v over the earlier layers j.
 */
export function denseLayerStackAttention(
  values: Values,
  sizes: { batch: number; rows: number; width: number; depth: number },
): Float64Array {
  const { batch, rows, width, depth } = sizes;
  const out: number[] = [];
  for (let b = 0; b < batch; b++) {
    const q = product(block(values.x!, b, rows, width), matrix(values, 'aila.query', width));
    const layers = Array.from({ length: depth }, (_, j) => block(values[`layer${j}`]!, b, rows, width));
    const k = layers.map((layer) => product(layer, matrix(values, 'aila.key', width)));
    const v = layers.map((layer) => product(layer, matrix(values, 'aila.value', width)));
    for (let t = 0; t < rows; t++) {
      const scores = k.map((keys) => keys[t]!.reduce((s, a, c) => s + a * q[t]![c]!, 0) / Math.sqrt(width));
      const top = Math.max(...scores);
      const weights = scores.map((s) => Math.exp(s - top));
      const total = weights.reduce((s, w) => s + w, 0);
      for (let c = 0; c < width; c++)
        out.push(v.reduce((s, values, j) => s + (weights[j]! / total) * values[t]![c]!, 0));
    }
  }
  return Float64Array.from(out);
}
