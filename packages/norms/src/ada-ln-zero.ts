import { add, mul, type Node, silu } from '@weft/ir';
import { linearChunks, tokenView } from './conditioning.js';
import { layerNorm } from './layer-norm.js';
import { expectFloatTensor, expectMinimumRank, expectShape, staticDim } from './norm-checks.js';

/** Options of {@link adaLnZero}. */
export interface AdaLnZeroOptions {
  /** LayerNorm ε. Default `1e-6` (DiT, NViST). */
  readonly eps?: number;
  /** Apply SiLU to the conditioning vector before the linear layer. Default `true` (DiT, NViST). */
  readonly activateCondition?: boolean;
  /** Layer name: prefixes parameter names and appears in errors. Default `'adaLnZero'`. */
  readonly name?: string;
}

/** Result of {@link adaLnZero}: the modulated activations and the gate of the residual branch. */
export interface AdaLnZeroResult {
  /** `LN(x) ⊙ (1 + scale) + shift`, `[B, ..., D]`: the input of the attention or MLP branch. */
  readonly modulated: Node;
  /** `gate`, `[B, 1, ..., 1, D]`: multiply the branch output by it before the residual add ({@link gatedResidual}). */
  readonly gate: Node;
}

/**
 * adaLN-Zero (DiT; NViST's decoder blocks, catalog paper 5): a LayerNorm without affine whose shift,
 * scale and gate come from a conditioning vector,
 *
 * `[shift, scale, gate] = SiLU(c) W + b`,  `modulated = LN(x) ⊙ (1 + scale) + shift`,
 * and the block's residual update is `x + gate ⊙ F(modulated)`. "Zero": `W` and `b` are
 * zero-initialized in training, so every block starts as the identity.
 *
 * Parameters: `${name}.modulation.weight` `[d_c, 3D]` (shift, scale, gate columns in order) and
 * `${name}.modulation.bias` `[3D]`. Shapes: `x` is `[B, ..., D]` (tokens in between), `c` is `[B, d_c]`.
 *
 * @example
 * ```ts
 * import { linear } from '@weft/models';
 *
 * const x = input('tokens', [2, 256, 384]);
 * const { modulated, gate } = adaLnZero(x, input('c', [2, 384]), { name: 'blocks.0.adaLn1' });
 * const branch = linear(modulated, { outFeatures: 384, weight: 'blocks.0.proj' }); // DiT: the attention branch
 * const next = gatedResidual(x, gate, branch);
 * ```
 */
export function adaLnZero(x: Node, condition: Node, options: AdaLnZeroOptions = {}): AdaLnZeroResult {
  const name = options.name ?? 'adaLnZero';
  expectFloatTensor(name, 'x', x);
  expectMinimumRank(name, 'x', x, 2, '[B, ..., D]');
  const width = staticDim(name, 'x', x.shape[x.rank - 1]!, x.rank - 1);
  expectShape(name, 'condition', condition, [x.shape[0]!, condition.shape[1] ?? 1]);
  const activated = options.activateCondition === false ? condition : silu(condition);
  const [shift, scale, gate] = linearChunks(name, `${name}.modulation`, activated, 3, width).map((chunk) =>
    tokenView(chunk, x.rank),
  ) as [Node, Node, Node];
  const normalized = layerNorm(x, { name, affine: false, eps: options.eps ?? 1e-6 });
  return { modulated: add(mul(normalized, add(scale, 1)), shift), gate };
}

/** The gated residual update of an adaLN-Zero block, `x + gate ⊙ update` (shapes broadcast). */
export function gatedResidual(x: Node, gate: Node, update: Node): Node {
  return add(x, mul(gate, update));
}
