// Row-major float64 matrices for the dense paper checks (`dense-*.ts`): plain loops, independent
// of Weft's graph and reference interpreter.

/** A matrix as rows of numbers. */
export type Matrix = number[][];

/** Named tensors, row-major. */
export type Values = Readonly<Record<string, ArrayLike<number>>>;

/** Batch `b` of a row-major `[batches, rows, width]` tensor as a `rows × width` matrix. */
export function block(data: ArrayLike<number>, b: number, rows: number, width: number): Matrix {
  return Array.from({ length: rows }, (_, t) =>
    Array.from({ length: width }, (_, c) => Number(data[(b * rows + t) * width + c])),
  );
}

/** The tensor `name` of `values` as a matrix of `columns` columns. */
export function matrix(values: Values, name: string, columns: number): Matrix {
  const data = values[name]!;
  return block(data, 0, data.length / columns, columns);
}

/** The product `a b`. */
export function product(a: Matrix, b: Matrix): Matrix {
  return a.map((row) =>
    Array.from({ length: b[0]!.length }, (_, j) => row.reduce((total, x, t) => total + x * b[t]![j]!, 0)),
  );
}

/** LayerNorm of each row (biased variance, ε = 1e-5) with gain γ and bias β. */
export function layerNormRows(rows: Matrix, gamma: ArrayLike<number>, beta: ArrayLike<number>): Matrix {
  return rows.map((row) => {
    const mean = row.reduce((a, b) => a + b, 0) / row.length;
    const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / row.length;
    return row.map(
      (value, c) => ((value - mean) / Math.sqrt(variance + 1e-5)) * Number(gamma[c]) + Number(beta[c]),
    );
  });
}
