import { block, layerNormRows, type Matrix, matrix, product, type Values } from './dense-matrix.js';

const SIZES = { batch: 2, rows: 12, width: 16, heads: 4 };

/**
 * Catalog #13 in float64 with plain loops, per the paper: Q_h = X W_Q^h; K_h = X W_K^h (optimised)
 * or X_h; V_h = X_h, or W_A X_h (super; W_A's upper triangle zeroed when causal);
 * Out = concat_h softmax(Q_h K_hᵀ/√d_h [causal]) V_h · W_O. For the entry's four outputs.
 */
export function densePayBetterAttention(values: Values): Record<string, Float64Array> {
  const { batch, rows, width, heads } = SIZES;
  const headDim = width / heads;
  const result: Record<string, Float64Array> = {};
  for (const name of ['optimised', 'efficient', 'super', 'superCausal']) {
    const isCausal = name === 'superCausal';
    const out: number[] = [];
    for (let b = 0; b < batch; b++) {
      const x = block(values.x!, b, rows, width);
      const q = product(x, matrix(values, `${name}.query`, width));
      const k = name === 'optimised' ? product(x, matrix(values, `${name}.key`, width)) : x;
      let v = x;
      if (name.startsWith('super')) {
        const mix = matrix(values, `${name}.tokenMix`, rows).map((row, i) =>
          row.map((w, j) => (isCausal && j > i ? 0 : w)),
        );
        v = product(mix, x);
      }
      const concatenated = attend(q, k, v, heads, headDim, isCausal);
      out.push(...product(concatenated, matrix(values, `${name}.output`, width)).flat());
    }
    result[name] = Float64Array.from(out);
  }
  return result;
}

/**
 * Catalog #62 in float64 with plain loops: A_h = softmax((L W_Q)_h (L W_K)_hᵀ/√d_s) materialized
 * once, then each layer H ← LN(H + concat_h(A_h (H W_V)_h) W_O) with that same A.
 */
export function denseSkimAttention(values: Values): Record<string, Float64Array> {
  const { batch, rows, width, heads } = SIZES;
  const headDim = width / heads;
  const layers: number[][] = [[], []];
  for (let b = 0; b < batch; b++) {
    const layout = block(values.layout!, b, rows, width);
    const q = product(layout, matrix(values, 'skim.query', width));
    const k = product(layout, matrix(values, 'skim.key', width));
    const maps = Array.from({ length: heads }, (_, h) =>
      q.map((query) =>
        softmax(k.map((key) => dotSlice(query, key, h * headDim, headDim) / Math.sqrt(headDim))),
      ),
    );
    let hidden = block(values.h!, b, rows, width);
    for (let l = 0; l < 2; l++) {
      const v = product(hidden, matrix(values, `layers.${l}.value`, width));
      const concatenated = v.map((_, i) =>
        Array.from({ length: width }, (_, c) => {
          const head = Math.floor(c / headDim);
          return maps[head]![i]!.reduce((s, a, j) => s + a * v[j]![c]!, 0);
        }),
      );
      const out = product(concatenated, matrix(values, `layers.${l}.output`, width));
      hidden = layerNorm(
        values,
        `layers.${l}.norm`,
        hidden.map((row, i) => row.map((a, c) => a + out[i]![c]!)),
      );
      layers[l]!.push(...hidden.flat());
    }
  }
  return { layer0: Float64Array.from(layers[0]!), layer1: Float64Array.from(layers[1]!) };
}

function attend(q: Matrix, k: Matrix, v: Matrix, heads: number, headDim: number, isCausal: boolean): Matrix {
  return q.map((query, i) => {
    const row = new Array<number>(heads * headDim).fill(0);
    for (let h = 0; h < heads; h++) {
      const visible = k.map((_, j) => j).filter((j) => !isCausal || j <= i);
      const weights = softmax(
        visible.map((j) => dotSlice(query, k[j]!, h * headDim, headDim) / Math.sqrt(headDim)),
      );
      visible.forEach((j, t) => {
        for (let c = h * headDim; c < (h + 1) * headDim; c++) row[c]! += weights[t]! * v[j]![c]!;
      });
    }
    return row;
  });
}

function dotSlice(a: number[], b: number[], start: number, length: number): number {
  let dot = 0;
  for (let c = start; c < start + length; c++) dot += a[c]! * b[c]!;
  return dot;
}

function softmax(row: number[]): number[] {
  const top = Math.max(...row);
  const weights = row.map((a) => Math.exp(a - top));
  const total = weights.reduce((s, w) => s + w, 0);
  return weights.map((w) => w / total);
}

function layerNorm(values: Values, name: string, x: Matrix): Matrix {
  return layerNormRows(x, values[`${name}.gamma`]!, values[`${name}.beta`]!);
}

/**
 * Catalog #36's dual attention in float64 with plain loops, from the paper's form (the relations
 * r(x_i, x_j) formed explicitly per pair, not by the fusion identity): standard heads, then relational
 * heads out_i = Σ_j α_ij (r(x_i, x_j) W_r^h + s_j W_s^h), concatenated → W_o. Parameters named as
 * `dualAttention`'s with name `dual`; 2 + 2 heads of 4, 4 relations of dim 4.
 */
export function denseDualAttention(values: Values): Float64Array {
  const { batch, rows, width } = SIZES;
  const [selfHeads, relationalHeads, relations, relationDim] = [2, 2, 4, 4];
  const headDim = width / (selfHeads + relationalHeads);
  const symbols = product(
    matrix(values, 'dual.symbols', width),
    matrix(values, 'dual.symbolValue', relationalHeads * headDim),
  );
  const relationOut = values['dual.relationOut']!;
  const out: number[] = [];
  for (let b = 0; b < batch; b++) {
    const x = block(values.x!, b, rows, width);
    const selfPart = attend(
      product(x, matrix(values, 'dual.query', selfHeads * headDim)),
      product(x, matrix(values, 'dual.key', selfHeads * headDim)),
      product(x, matrix(values, 'dual.value', selfHeads * headDim)),
      selfHeads,
      headDim,
      false,
    );
    const q = product(x, matrix(values, 'dual.relational.query', relationalHeads * headDim));
    const k = product(x, matrix(values, 'dual.relational.key', relationalHeads * headDim));
    const rq = product(x, matrix(values, 'dual.relations.query', relations * relationDim));
    const rk = product(x, matrix(values, 'dual.relations.key', relations * relationDim));
    const relation = (i: number, j: number, l: number) =>
      dotSlice(rq[i]!, rk[j]!, l * relationDim, relationDim) / Math.sqrt(relationDim);
    const concatenated = x.map((_, i) => {
      const row = [...selfPart[i]!];
      for (let h = 0; h < relationalHeads; h++) {
        const alpha = softmax(
          k.map((key) => dotSlice(q[i]!, key, h * headDim, headDim) / Math.sqrt(headDim)),
        );
        for (let c = 0; c < headDim; c++) {
          let total = 0;
          for (let j = 0; j < rows; j++) {
            let message = symbols[j]![h * headDim + c]!;
            for (let l = 0; l < relations; l++)
              message += relation(i, j, l) * Number(relationOut[(h * relations + l) * headDim + c]);
            total += alpha[j]! * message;
          }
          row.push(total);
        }
      }
      return row;
    });
    out.push(...product(concatenated, matrix(values, 'dual.output', width)).flat());
  }
  return Float64Array.from(out);
}
