import { literal, type Node, reshape, UnsupportedError } from '@weft/ir';
import { hoistQkTransforms } from './qk-transforms-before-kernel.js';
import { type AttentionSpec, attention } from './spec/attention-spec.js';

/**
 * Moves keys already rotated by the spec's RoPE from positions p to p + `delta`, as Block-Attention
 * for RAG (Sun et al., catalog #106) places a passage's cached KV at its offset in a new prompt:
 * RoPE is additive, R(a)·R(b) = R(a + b), so every row is rotated by `delta` alone — the raw keys
 * are not needed. `keys`: `[batch, heads, length, headDim]` with static sizes; 1-D RoPE only.
 *
 * @example
 * ```ts
 * const spec = attention({ heads: 8, headDim: 64, positions: rope() });
 * // A passage's keys, cached already rotated at positions 0..511 ...
 * const cachedKeys = input('passageKeys', [1, 8, 512, 64]);
 * // ... placed after a 1024-token prefix: rotated as if at positions 1024..1535.
 * const placed = shiftRopePositions(spec, cachedKeys, 1024);
 * ```
 */
export function shiftRopePositions(spec: AttentionSpec, keys: Node, delta: number): Node {
  const position = spec.positions;
  if (position.name !== 'rope' || position.rope.dims !== 1)
    throw new UnsupportedError(`attention "${spec.name}": shifting positions needs 1-D RoPE`, {
      block: spec.name,
      expected: 'positions: rope()',
      actual: position.name === 'rope' ? '2-D RoPE' : position.name,
    });
  const [batch, heads, length, dim] = keys.shape;
  if (
    keys.rank !== 4 ||
    [batch, heads, length, dim].some((size) => typeof size !== 'number') ||
    dim !== spec.headDim
  )
    throw new UnsupportedError(
      `attention "${spec.name}": keys to shift must be [batch, heads, length, ${spec.headDim}] of static sizes`,
      {
        block: spec.name,
        tensor: 'keys',
        expected: `[batch, heads, length, ${spec.headDim}]`,
        actual: `[${keys.shape.map(String).join(', ')}]`,
      },
    );
  if (!Number.isInteger(delta) || Math.abs(delta) > 2 ** 30)
    throw new UnsupportedError(`attention "${spec.name}": the position shift must be an integer`, {
      block: spec.name,
      expected: 'an integer of at most 2^30',
      actual: String(delta),
    });
  // Each row becomes a one-row "sequence" of its own, so the rotation's position is the shift alone.
  const rows = (batch as number) * (heads as number) * (length as number);
  const single = reshape(keys, [1, rows, 1, dim]);
  const rotation = attention({ name: `${spec.name}.shift`, heads: rows, headDim: dim, positions: position });
  const shifted = hoistQkTransforms(
    rotation,
    { query: single, key: single, value: single },
    { positionOffset: literal([delta], [1], 'i32') },
  ).inputs.key;
  return reshape(shifted, keys.shape);
}
