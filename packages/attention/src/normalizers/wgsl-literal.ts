/** A WGSL f32 literal of `value` (`2` becomes `2.0`). */
export function floatLiteral(value: number): string {
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}
