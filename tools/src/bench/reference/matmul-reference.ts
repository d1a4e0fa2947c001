/** `a [rows, inner] × b [inner, columns]` in float64, row-major. */
export function matmulReference(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  rows: number,
  inner: number,
  columns: number,
): Float64Array {
  const result = new Float64Array(rows * columns);
  for (let row = 0; row < rows; row++) {
    for (let k = 0; k < inner; k++) {
      const left = a[row * inner + k]!;
      const resultRow = row * columns;
      const bRow = k * columns;
      for (let column = 0; column < columns; column++)
        result[resultRow + column]! += left * b[bRow + column]!;
    }
  }
  return result;
}
