import { type Node, param, reshape } from '@weft/ir';
import { staticDim } from './norm-checks.js';

/**
 * A learned parameter over the normalized `axes` of `x`, stored with the normalized dims only
 * (PyTorch's `normalized_shape`, e.g. `[D]`) and viewed with size-1 axes in between so that it
 * broadcasts against `x` whatever the axes are.
 */
export function normalizedParameter(layer: string, name: string, x: Node, axes: readonly number[]): Node {
  const dims = axes.map((axis) => staticDim(layer, name, x.shape[axis]!, axis));
  const stored = param(name, dims, x.dtype);
  const first = axes[0]!;
  const view = x.shape.slice(first).map((dim, offset) => (axes.includes(first + offset) ? dim : 1));
  return view.length === dims.length ? stored : reshape(stored, view);
}

/**
 * A learned per-channel parameter `[C]` for a channels-first tensor `[B, C, ...spatial]`, viewed as
 * `[C, 1, ..., 1]` so that it broadcasts over the spatial axes.
 */
export function channelParameter(layer: string, name: string, x: Node): Node {
  const channels = staticDim(layer, name, x.shape[1]!, 1);
  return channelView(param(name, [channels], x.dtype), x.rank);
}

/** Views a `[C]` (or `[B, C]`) tensor as `[C, 1, ..., 1]` (`[B, C, 1, ..., 1]`) for a rank-`rank` channels-first tensor. */
export function channelView(perChannel: Node, rank: number): Node {
  const trailing = new Array<number>(rank - 2).fill(1);
  return trailing.length === 0 ? perChannel : reshape(perChannel, [...perChannel.shape, ...trailing]);
}
