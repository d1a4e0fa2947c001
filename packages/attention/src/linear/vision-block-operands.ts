import { type Node, SpecError } from '@weft/ir';

/** The sizes of a vision block's image and head split, checked. */
export interface VisionBlockOperands {
  readonly name: string;
  readonly batch: number;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly heads: number;
  readonly headDim: number;
}

/**
 * Checks the operands MALA's and NaLaFormer's vision blocks share: a static `[B, C, H, W]` image,
 * heads splitting C into head dims that are multiples of 4 (the 2-D RoPE turns pairs of rows and
 * of columns), and `[H·W, headDim]` sin/cos tables. Errors read `${kind} "${name}": …`.
 *
 * @throws SpecError naming the block and the offending tensor.
 */
export function checkVisionBlockOperands(
  x: Node,
  sin: Node,
  cos: Node,
  heads: number,
  name: string,
  kind: string,
): VisionBlockOperands {
  const fail = (tensor: string, message: string, expected: string, actual: unknown): never => {
    throw new SpecError(`${kind} "${name}": ${message}`, { block: name, tensor, expected, actual });
  };
  const shape = x.shape;
  if (shape.length !== 4 || !shape.every((size) => typeof size === 'number'))
    fail(
      'x',
      'x must be a static [batch, channels, height, width] image',
      '[B, C, H, W]',
      `[${shape.join(', ')}]`,
    );
  const [batch, channels, height, width] = shape as [number, number, number, number];
  if (!Number.isInteger(heads) || heads < 1 || channels % heads !== 0 || (channels / heads) % 4 !== 0)
    fail(
      'x',
      'heads must split the channels into head dims that are multiples of 4',
      `a divisor of ${channels}`,
      heads,
    );
  const headDim = channels / heads;
  for (const [tensor, table] of [
    ['sin', sin],
    ['cos', cos],
  ] as const)
    if (table.shape.length !== 2 || table.shape[0] !== height * width || table.shape[1] !== headDim)
      fail(
        tensor,
        `${tensor} must be [H·W, headDim]`,
        `[${height * width}, ${headDim}]`,
        `[${table.shape.join(', ')}]`,
      );
  return { name, batch, channels, height, width, heads, headDim };
}
