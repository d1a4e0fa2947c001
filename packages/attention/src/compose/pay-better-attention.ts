import { literal, matmul, mul, type Node, param, SpecError } from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { causal } from '../masks/builtin-masks.js';
import { attention } from '../spec/attention-spec.js';
import { mergeHeads, splitHeads } from './head-layout.js';

/** Which of Hosseini & Hosseini's layers {@link payBetterAttention} builds. */
export type PayBetterAttentionKind = 'optimised' | 'efficient' | 'super';

/** Options of {@link payBetterAttention}. */
export interface PayBetterAttentionOptions {
  /** `optimised` (V_h = X_h), `efficient` (also K_h = X_h) or `super` (efficient, values W_A X_h). */
  readonly kind: PayBetterAttentionKind;
  /** Heads h; head h reads the column slice X_h of width d/h. */
  readonly heads: number;
  /** Causal mask on the scores, and for `super` W_A times a lower-triangular 0/1 mask. Default false. */
  readonly causal?: boolean;
  /** Block name prefixing the parameters. Default `'attention'`. */
  readonly name?: string;
}

/**
 * Optimised, Efficient and Super attention (Hosseini & Hosseini, "You Need to Pay Better
 * Attention", catalog paper 13), for X ∈ R^{ℓ×d} and head h's column slice X_h:
 * Optimised H_h = softmax(X W_Q^h (X W_K^h)ᵀ/√d_h) X_h (no W_V); Efficient
 * H_h = softmax(X W_Q^h X_hᵀ/√d_h) X_h (no W_K either); Super H_h = softmax(X W_Q^h X_hᵀ/√d_h)(W_A X_h)
 * with one W_A ∈ R^{ℓ×ℓ} per layer shared by the heads (ℓ fixed); Out = concat_h H_h W_O. One fused
 * attention kernel; W_A X is a matmul along the sequence before it.
 *
 * Parameters: `${name}.query` `[d, d]` (the h slices W_Q^h side by side), `${name}.key` `[d, d]`
 * (optimised only), `${name}.tokenMix` `[ℓ, ℓ]` (super only), `${name}.output` `[d, d]`.
 * Shapes: `x` `[batch, ℓ, d]` → `[batch, ℓ, d]`, static.
 *
 * @example
 * ```ts
 * const y = payBetterAttention(input('x', [2, 12, 16]), { kind: 'super', heads: 4 });
 * ```
 */
export function payBetterAttention(x: Node, options: PayBetterAttentionOptions): Node {
  const name = options.name ?? 'attention';
  const { heads, kind } = options;
  if (x.rank !== 3 || !x.shape.every((size) => typeof size === 'number'))
    throw new SpecError(`payBetterAttention "${name}": x must be [batch, ℓ, d], static`, {
      block: name,
      tensor: 'x',
      expected: '[batch, ℓ, d] with static sizes',
      actual: `[${x.shape.map(String).join(', ')}]`,
    });
  const [, length, width] = x.shape as [number, number, number];
  if (!Number.isInteger(heads) || heads < 1 || width % heads !== 0)
    throw new SpecError(`payBetterAttention "${name}": heads must divide the width`, {
      block: name,
      expected: `a divisor of ${width}`,
      actual: heads,
    });
  if (kind !== 'optimised' && kind !== 'efficient' && kind !== 'super')
    throw new SpecError(`payBetterAttention "${name}": unknown kind`, {
      block: name,
      expected: "'optimised' | 'efficient' | 'super'",
      actual: String(kind),
    });
  const project = (node: Node, part: string) => matmul(node, param(`${name}.${part}`, [width, width]));
  const slices = splitHeads(x, heads);
  const key = kind === 'optimised' ? splitHeads(project(x, 'key'), heads) : slices;
  const value = kind === 'super' ? matmul(tokenMix(name, length, options.causal ?? false), slices) : slices;
  const spec = attention({
    heads,
    headDim: width / heads,
    name,
    ...(options.causal ? { mask: causal() } : {}),
  });
  const attended = applyAttention(spec, { query: splitHeads(project(x, 'query'), heads), key, value }).output;
  return project(mergeHeads(attended), 'output');
}

/** W_A `[ℓ, ℓ]`; causal models keep only its lower triangle, so no value mixes in a later token. */
function tokenMix(name: string, length: number, causalModel: boolean): Node {
  const weight = param(`${name}.tokenMix`, [length, length]);
  if (!causalModel) return weight;
  const lower = Array.from({ length: length * length }, (_, i) =>
    i % length <= Math.floor(i / length) ? 1 : 0,
  );
  return mul(weight, literal(lower, [length, length]));
}
