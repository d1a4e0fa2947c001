import {
  add,
  div,
  exp,
  matmul,
  max,
  mean,
  mul,
  type Node,
  param,
  relu,
  reshape,
  SpecError,
  sub,
  sum,
} from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { attention } from '../spec/attention-spec.js';
import { mergeHeads, splitHeads } from './head-layout.js';

/** Options of {@link mixtureOfHeadsAttention}. */
export interface MixtureOfHeadsOptions {
  /** Attention heads h ≥ 2; they split the model width d. */
  readonly heads: number;
  /** Hidden width of the gate's MLP. Default d. */
  readonly gateHidden?: number;
  /** Block name prefixing the parameters. Default `'mae'`. */
  readonly name?: string;
}

/** The nodes of {@link mixtureOfHeadsAttention}. */
export interface MixtureOfHeadsResult {
  /** y = (h/(h−1)) Σ_j (1 − g_j) H_j, `[batch, n, d]`. */
  readonly output: Node;
  /** The gate g = softmax over heads, `[batch, heads]`. */
  readonly gate: Node;
}

/**
 * MAE's mixture of h experts of h − 1 heads (Peng et al., "A Mixture of h − 1 Heads is Better than
 * h Heads", catalog paper 52): expert i averages every head but i,
 * f_i = (h/(h−1)) Σ_{j≠i} H_j with H_j head j's output after its slice of W^O, and
 * y = Σ_i g_i f_i = (h/(h−1)) Σ_j (1 − g_j) H_j. The gate g = softmax(MLP(mean_t x_t)) is per
 * sequence; its MLP is ReLU(x̄ W₁ + b₁) W₂ + b₂ (the catalog marks the paper's gate architecture as
 * unverified, so this MLP is our choice). The attention is one fused softmax kernel; the gate scales
 * each head before the concatenated heads meet W^O, which equals scaling each H_j.
 *
 * Parameters: `${name}.query`, `.key`, `.value`, `.output` `[d, d]` (x·W, no biases),
 * `${name}.gate.hidden.weight` `[d, hidden]`, `.hidden.bias`, `.output.weight` `[hidden, h]`,
 * `.output.bias`. Shapes: `x` `[batch, n, d]`, static.
 *
 * @example
 * ```ts
 * const { output, gate } = mixtureOfHeadsAttention(input('x', [2, 12, 16]), { heads: 4 });
 * ```
 */
export function mixtureOfHeadsAttention(x: Node, options: MixtureOfHeadsOptions): MixtureOfHeadsResult {
  const name = options.name ?? 'mae';
  const { heads } = options;
  if (x.rank !== 3 || !x.shape.every((size) => typeof size === 'number'))
    throw new SpecError(`mixtureOfHeadsAttention "${name}": x must be [batch, n, d], static`, {
      block: name,
      tensor: 'x',
      expected: '[batch, n, d] with static sizes',
      actual: `[${x.shape.map(String).join(', ')}]`,
    });
  const [batch, , width] = x.shape as [number, number, number];
  if (!Number.isInteger(heads) || heads < 2 || width % heads !== 0)
    throw new SpecError(`mixtureOfHeadsAttention "${name}": heads must be >= 2 and divide the width`, {
      block: name,
      expected: `a divisor >= 2 of ${width}`,
      actual: heads,
    });
  const project = (node: Node, part: string) => matmul(node, param(`${name}.${part}`, [width, width]));
  const spec = attention({ heads, headDim: width / heads, name: `${name}.attention` });
  const attended = applyAttention(spec, {
    query: splitHeads(project(x, 'query'), heads),
    key: splitHeads(project(x, 'key'), heads),
    value: splitHeads(project(x, 'value'), heads),
  }).output;
  const hidden = options.gateHidden ?? width;
  const pooled = mean(x, [1]);
  const inner = relu(
    add(
      matmul(pooled, param(`${name}.gate.hidden.weight`, [width, hidden])),
      param(`${name}.gate.hidden.bias`, [hidden]),
    ),
  );
  const logits = add(
    matmul(inner, param(`${name}.gate.output.weight`, [hidden, heads])),
    param(`${name}.gate.output.bias`, [heads]),
  );
  const shifted = exp(sub(logits, max(logits, [1], { keepDims: true })));
  const gate = div(shifted, sum(shifted, [1], { keepDims: true }));
  const headScale = mul(sub(1, gate), heads / (heads - 1));
  const scaled = mul(attended, reshape(headScale, [batch, heads, 1, 1]));
  return { output: project(mergeHeads(scaled), 'output'), gate };
}
