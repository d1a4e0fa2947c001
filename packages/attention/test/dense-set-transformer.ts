import { layerNormRows, type Matrix, product, type Values } from './dense-matrix.js';

/** Sizes of {@link denseSetTransformer}. */
export interface DenseSetSizes {
  readonly batch: number;
  readonly set: number;
  readonly width: number;
  readonly heads: number;
}

/**
 * Set Transformer's SAB(X), ISAB(X) = MAB(X, MAB(I, X)) and PMA(ISAB(X)) = MAB(S, rFF(ISAB(X))) in
 * float64 with plain loops, from the paper's equations (Lee et al., eqs. 6–11):
 * MAB(X, Y) = LN(H + rFF(H)), H = LN(X + concat_j softmax(X W_j^Q (Y W_j^K)ᵀ/√(d/h)) Y W_j^V · W^O),
 * rFF(x) = ReLU(x W₁ + b₁) W₂ + b₂, LN with ε = 1e-5. Parameter names as the IR blocks'. Returns
 * each output flattened `[batch, rows, d]`.
 */
export function denseSetTransformer(values: Values, sizes: DenseSetSizes): Record<string, Float64Array> {
  const { batch, set, width } = sizes;
  const outputs = { sab: [] as number[], isab: [] as number[], pooled: [] as number[] };
  for (let b = 0; b < batch; b++) {
    const x: Matrix = Array.from({ length: set }, (_, n) =>
      Array.from({ length: width }, (_, c) => Number(values.x![(b * set + n) * width + c])),
    );
    const sab = mab(values, 'sab', x, x, sizes);
    const induced = mab(values, 'isab.induce', rows(values, 'isab.inducing', width), x, sizes);
    const isab = mab(values, 'isab.attend', x, induced, sizes);
    const pooled = mab(
      values,
      'pma.pool',
      rows(values, 'pma.seeds', width),
      feedForward(values, 'pma.rff', isab),
      sizes,
    );
    outputs.sab.push(...sab.flat());
    outputs.isab.push(...isab.flat());
    outputs.pooled.push(...pooled.flat());
  }
  return {
    sab: Float64Array.from(outputs.sab),
    isab: Float64Array.from(outputs.isab),
    pooled: Float64Array.from(outputs.pooled),
  };
}

function mab(values: Values, name: string, x: Matrix, y: Matrix, sizes: DenseSetSizes): Matrix {
  const { width, heads } = sizes;
  const headDim = width / heads;
  const q = product(x, rows(values, `${name}.query`, width));
  const k = product(y, rows(values, `${name}.key`, width));
  const v = product(y, rows(values, `${name}.value`, width));
  const concatenated = x.map((_, i) => {
    const out = new Array<number>(width).fill(0);
    for (let h = 0; h < heads; h++) {
      const scores = y.map((_, j) => {
        let dot = 0;
        for (let c = h * headDim; c < (h + 1) * headDim; c++) dot += q[i]![c]! * k[j]![c]!;
        return dot / Math.sqrt(headDim);
      });
      const top = Math.max(...scores);
      const weights = scores.map((s) => Math.exp(s - top));
      const total = weights.reduce((a, w) => a + w, 0);
      for (let j = 0; j < y.length; j++)
        for (let c = h * headDim; c < (h + 1) * headDim; c++) out[c]! += (weights[j]! / total) * v[j]![c]!;
    }
    return out;
  });
  const attended = product(concatenated, rows(values, `${name}.output`, width));
  const h = layerNorm(values, `${name}.norm0`, sum(x, attended));
  return layerNorm(values, `${name}.norm1`, sum(h, feedForward(values, `${name}.rff`, h)));
}

function feedForward(values: Values, name: string, x: Matrix): Matrix {
  const hiddenBias = values[`${name}.hidden.bias`]!;
  const outputBias = values[`${name}.output.bias`]!;
  const width = x[0]!.length;
  const hidden = hiddenBias.length;
  const inner = product(x, rows(values, `${name}.hidden.weight`, hidden)).map((row) =>
    row.map((a, c) => Math.max(0, a + Number(hiddenBias[c]))),
  );
  return product(inner, rows(values, `${name}.output.weight`, width)).map((row) =>
    row.map((a, c) => a + Number(outputBias[c])),
  );
}

function layerNorm(values: Values, name: string, x: Matrix): Matrix {
  return layerNormRows(x, values[`${name}.gamma`]!, values[`${name}.beta`]!);
}

/** A row-major parameter as rows of `columns` values. */
function rows(values: Values, name: string, columns: number): Matrix {
  const data = values[name]!;
  return Array.from({ length: data.length / columns }, (_, r) =>
    Array.from({ length: columns }, (_, c) => Number(data[r * columns + c])),
  );
}

function sum(a: Matrix, b: Matrix): Matrix {
  return a.map((row, i) => row.map((x, j) => x + b[i]![j]!));
}
