import {
  concat,
  conv1d,
  full,
  mapElements,
  type Node,
  param,
  permute,
  reshape,
  ShapeError,
  SpecError,
  slice,
  variable,
} from '@weft/ir';

/** Taps of LAWCAT's causal convolution (r + 1 = 4 in the paper). */
export const LAWCAT_CONV_TAPS = 4;

/** What {@link lawcatCausalConv} builds. */
export interface LawcatConvRows {
  /** x̃ `[B, H, N, d]`: x̃_t = Σ_{i=0}^{r} w_i ⊙ x_{t−i}. */
  readonly rows: Node;
  /** The last r rows of the input (after `past`): the next step's `past` `[B, H, r, d]`. */
  readonly window: Node;
}

/**
 * LAWCAT's causal depthwise Conv1D across time (Liu et al., catalog paper 97) on query or key rows
 * `[B, H, N, d]`: x̃_t = Σ_{i=0}^{r} w_i ⊙ x_{t−i}, a separate kernel of r + 1 = 4 taps per head and
 * channel, the parameter `${name}` `[H·d, 1, 4]` in PyTorch's Conv1d layout (tap k weighs x_{t−3+k},
 * so w_i is tap 3 − i), no bias. `past` `[B, H, 3, d]` holds the 3 rows before the call (zeros, the
 * causal padding, when absent); `window` is the next one, so a decode step keeps it on the device
 * like the linear-attention state.
 *
 * @example
 * ```ts
 * const q = lawcatCausalConv(input('q', [1, 4, 24, 16]), 'lawcat.qConv').rows;
 * ```
 * @throws ShapeError when `x` is not `[B, H, N, d]` with static sizes, or `past` is not `[B, H, 3, d]`.
 */
export function lawcatCausalConv(x: Node, name: string, past?: Node): LawcatConvRows {
  const [batch, heads, length, width] = x.shape;
  if (
    x.rank !== 4 ||
    typeof batch !== 'number' ||
    typeof heads !== 'number' ||
    typeof length !== 'number' ||
    typeof width !== 'number'
  )
    throw new ShapeError(`LAWCAT convolution "${name}": rows must be [B, H, N, d] with static sizes`, {
      block: name,
      tensor: 'x',
      expected: '[B, H, N, d]',
      actual: `[${x.shape.join(', ')}]`,
    });
  const r = LAWCAT_CONV_TAPS - 1;
  const before = past ?? full(0, [batch, heads, r, width]);
  if (before.shape.join() !== [batch, heads, r, width].join())
    throw new ShapeError(`LAWCAT convolution "${name}": past must hold the ${r} rows before the call`, {
      block: name,
      tensor: 'past',
      expected: `[${batch}, ${heads}, ${r}, ${width}]`,
      actual: `[${before.shape.join(', ')}]`,
    });
  const windowed = concat([before, x], 2);
  const channels = heads * width;
  // [B, H, r + N, d] → [B, H·d, r + N]: one depthwise channel per head and feature.
  const series = reshape(permute(windowed, [0, 1, 3, 2]), [batch, channels, r + length]);
  const convolved = conv1d(series, param(name, [channels, 1, LAWCAT_CONV_TAPS]), undefined, {
    groups: channels,
  });
  const rows = permute(reshape(convolved, [batch, heads, width, length]), [0, 1, 3, 2]);
  const window = slice(windowed, [0, 0, length, 0], [batch, heads, length + r, width]);
  return { rows, window };
}

/**
 * A GLA-style data-dependent forget gate from pre-activations (W_α x_t + b, the caller's low-rank
 * projection): G_t = σ(logits)^(1/τ), τ = 16 (GLA's temperature, keeping gates near 1). The
 * catalog leaves LAWCAT's exact gate parametrization to verify; this is GLA's, which it names.
 *
 * @throws SpecError when τ is not a finite number > 0.
 *
 * @example
 * ```ts
 * const gate = glaGate(input('gateLogits', [1, 4, 24, 16]));
 * ```
 */
export function glaGate(logits: Node, temperature = 16): Node {
  if (!(Number.isFinite(temperature) && temperature > 0))
    throw new SpecError('glaGate: temperature must be a finite number > 0', {
      dimension: 'temperature',
      expected: 'τ > 0',
      actual: temperature,
    });
  // σ(x)^(1/τ) = exp(log σ(x) / τ): σ stays a normal f32 for logits above −87.
  return mapElements([logits], variable('$0').apply('sigmoid').apply('log').div(temperature).apply('exp'));
}
