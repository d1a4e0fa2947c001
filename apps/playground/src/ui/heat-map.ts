/**
 * Draws `rows × columns` values (row-major, from `offset`) on a canvas, one cell per value scaled
 * to at most 256 pixels a side, from dark blue (the smallest value) to yellow (the largest).
 */
export function drawHeatMap(
  canvas: HTMLCanvasElement,
  values: ArrayLike<number>,
  rows: number,
  columns: number,
  offset = 0,
): void {
  const scale = Math.max(1, Math.floor(256 / Math.max(rows, columns)));
  canvas.width = columns * scale;
  canvas.height = rows * scale;
  const context = canvas.getContext('2d');
  if (context === null) return;
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < rows * columns; index++) {
    const value = values[offset + index]!;
    if (Number.isFinite(value)) {
      low = Math.min(low, value);
      high = Math.max(high, value);
    }
  }
  const span = high > low ? high - low : 1;
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      const value = values[offset + row * columns + column]!;
      context.fillStyle = Number.isFinite(value) ? colour((value - low) / span) : '#ff00ff';
      context.fillRect(column * scale, row * scale, scale, scale);
    }
  }
}

/** A dark-blue → teal → yellow ramp, readable for small differences near zero. */
function colour(unit: number): string {
  const red = Math.round(255 * Math.min(1, Math.max(0, 1.6 * unit - 0.4)));
  const green = Math.round(30 + 210 * unit);
  const blue = Math.round(90 + 60 * Math.sin(Math.PI * unit) - 60 * unit);
  return `rgb(${red},${green},${blue})`;
}
