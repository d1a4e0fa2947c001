import { type Node, SLICE_END, slice } from '@weft/ir';

/** `x[..., start:end, ...]` on axis `axis` only (every other axis whole, symbolic ones included). */
export function sliceAxis(x: Node, axis: number, start: number, end: number): Node {
  const starts = x.shape.map((_, index) => (index === axis ? start : 0));
  const ends = x.shape.map((_, index) => (index === axis ? end : SLICE_END));
  return slice(x, starts, ends);
}
