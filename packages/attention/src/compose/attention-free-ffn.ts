import { add, matmul, type Node, param, relu, reshape, SpecError } from '@weft/ir';

/** Options of {@link sequenceFeedForward}. */
export interface SequenceFeedForwardOptions {
  /** Hidden width of the one hidden layer. */
  readonly hidden: number;
  /** Block name prefixing the parameters. Default `'ffn'`. */
  readonly name?: string;
}

/**
 * A shallow feed-forward network in place of self-attention (Bozic et al., "Rethinking Attention:
 * Exploring Shallow Feed-Forward Neural Networks as an Alternative to Attention Layers", catalog
 * paper 32, the ALR variant): the whole padded sequence X ∈ R^{L×d} is flattened,
 * h = ReLU(W₁ vec(X) + b₁), Y = reshape(W₂ h + b₂) ∈ R^{L×d}. It mixes positions like attention,
 * with weights fixed per position pair, so L is the fixed maximum length (pad shorter inputs);
 * the residual and LayerNorm around it stay the caller's. Two matmul kernels.
 *
 * Parameters: `${name}.hidden.weight` `[L·d, hidden]`, `.hidden.bias` `[hidden]`,
 * `${name}.output.weight` `[hidden, L·d]`, `.output.bias` `[L·d]`. Shapes: `x` `[batch, L, d]`, static.
 *
 * @example
 * ```ts
 * const y = sequenceFeedForward(input('x', [2, 12, 16]), { hidden: 64, name: 'layers.0.alr' });
 * ```
 */
export function sequenceFeedForward(x: Node, options: SequenceFeedForwardOptions): Node {
  const name = options.name ?? 'ffn';
  const { hidden } = options;
  if (x.rank !== 3 || !x.shape.every((size) => typeof size === 'number'))
    throw new SpecError(
      `sequenceFeedForward "${name}": x must be [batch, L, d], static (L is the fixed maximum)`,
      {
        block: name,
        tensor: 'x',
        expected: '[batch, L, d] with static sizes',
        actual: `[${x.shape.map(String).join(', ')}]`,
      },
    );
  if (!Number.isInteger(hidden) || hidden < 1)
    throw new SpecError(`sequenceFeedForward "${name}": hidden must be an integer >= 1`, {
      block: name,
      actual: hidden,
    });
  const [batch, length, width] = x.shape as [number, number, number];
  const flat = reshape(x, [batch, length * width]);
  const inner = relu(
    add(
      matmul(flat, param(`${name}.hidden.weight`, [length * width, hidden])),
      param(`${name}.hidden.bias`, [hidden]),
    ),
  );
  const out = add(
    matmul(inner, param(`${name}.output.weight`, [hidden, length * width])),
    param(`${name}.output.bias`, [length * width]),
  );
  return reshape(out, [batch, length, width]);
}
