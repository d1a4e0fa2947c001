/**
 * The length of a line of generated WGSL as its layout decisions (line wrapping, naming long loads)
 * count it: each all-digit segment of a name — `_12` in `in_layers_12_attn_q`, `.12` in
 * `"layers.12.attn.q"` — counts as one character, whatever its digits. A kernel of layer 12 then
 * breaks its lines where the same kernel of layer 3 does, so the two render to one text up to
 * their names and share it (see `kernelStructure`). Lines with multi-digit segments may pass the
 * width they were wrapped to by one character per extra digit.
 *
 * @example
 * ```ts
 * import { layoutLength } from '@weft/wgsl';
 *
 * layoutLength('let x = in_layers_12_attn_q[i];'); // 30, as for 'in_layers_3_attn_q'
 * ```
 */
export function layoutLength(line: string): number {
  let length = line.length;
  // Digits never start an identifier, and a float literal's fraction follows a digit: a run after
  // `_` or after a letter's `.` is a segment of a name.
  for (const match of line.matchAll(MULTI_DIGIT_SEGMENT)) length -= match[0].length - 1;
  return length;
}

/** Two or more digits after `_` or a letter's `.`, up to the next `_`, `.` or character outside a name. */
const MULTI_DIGIT_SEGMENT = /(?<=[A-Za-z0-9]_|[A-Za-z_]\.)[0-9]{2,}(?![0-9A-Za-z])/g;
