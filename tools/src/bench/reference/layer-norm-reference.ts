/**
 * Layer normalization of each row of `x [rows, columns]` in float64 (population variance, ε inside
 * the square root, as ONNX `LayerNormalization`): `γ ⊙ (x − μ) / √(σ² + ε) + β`.
 */
export function layerNormReference(
  x: ArrayLike<number>,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  rows: number,
  columns: number,
  epsilon: number,
): Float64Array {
  const result = new Float64Array(rows * columns);
  for (let row = 0; row < rows; row++) {
    const offset = row * columns;
    let mean = 0;
    for (let column = 0; column < columns; column++) mean += x[offset + column]!;
    mean /= columns;
    let variance = 0;
    for (let column = 0; column < columns; column++) variance += (x[offset + column]! - mean) ** 2;
    variance /= columns;
    const inverse = 1 / Math.sqrt(variance + epsilon);
    for (let column = 0; column < columns; column++) {
      result[offset + column] = (x[offset + column]! - mean) * inverse * gamma[column]! + beta[column]!;
    }
  }
  return result;
}
