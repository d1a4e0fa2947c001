import {
  add,
  input,
  mul,
  type Node,
  param,
  permute,
  reshape,
  ShapeError,
  sigmoid,
  silu,
  sub,
} from '@weft/ir';
import { applyLinearAttention } from './apply-linear-attention.js';
import { identity } from './feature-maps.js';
import { type LinearAttentionSpec, linearAttention } from './linear-attention-spec.js';

/** Options of {@link megaEma}. */
export interface MegaEmaOptions {
  /** Block name; the parameters are `${name}.delta`, `.alpha`, `.beta`, `.gamma` `[D, N]` and `.omega` `[D]`. */
  readonly name: string;
  /** N, the EMA components per channel (Mega's `ndim`, typically 16). */
  readonly components: number;
  /** Positions per chunk of the causal sweep (default the op's). */
  readonly chunkSize?: number;
  /** The EMA state h `[B, D, N, 1]` before the first position: the call continues a sequence. */
  readonly state?: Node;
  /** Also return the state after the last position (implied by `state`). */
  readonly returnState?: boolean;
}

/** What {@link megaEma} builds. */
export interface AppliedMegaEma {
  /** SiLU(EMA(x) + ω ⊙ x) `[B, L, D]`. */
  readonly output: Node;
  /** h after the last position `[B, D, N, 1]`, when a state was given or asked for. */
  readonly state?: Node;
}

/**
 * The linear-attention spec under Mega's EMA: one head per channel (D), its N components as the
 * key features, one value column, no denominator, gated by the damping q.
 *
 * @example
 * ```ts
 * const spec = megaEmaSpec(16, 8, 'mega.ema');
 * ```
 */
export function megaEmaSpec(
  channels: number,
  components: number,
  name: string,
  chunkSize?: number,
): LinearAttentionSpec {
  return linearAttention({
    heads: channels,
    headDim: components,
    valueDim: 1,
    featureMap: identity(),
    denominator: false,
    gated: true,
    causal: true,
    ...(chunkSize === undefined ? {} : { chunkSize }),
    name,
  });
}

/**
 * Mega's multi-dimensional damped EMA (Ma et al. 2023, catalog paper 70; fairseq `MultiHeadEMA`,
 * unidirectional) over x `[B, L, D]`: per channel d and component n, p = σ(δ), α̂ = σ(α),
 * q = 1 − p α̂, h_t = q ⊙ h_{t−1} + p β x_t, and
 * y_t = SiLU(Σ_n γ_dn h_t,dn / √N + ω_d x_t,d) — the causal convolution with the kernel
 * k_d[t] = Σ_n p β q^t γ / √N, plus the ω residual, then SiLU (the constants of the reference).
 * It is gated linear attention with a head per channel: key features p β, gates q, query γ/√N,
 * value x_t,d; so the chunked sweep is the EMA's chunked scan and the same call on one position with
 * `state` is a decode step on h `[B, D, N, 1]`, whatever the past length. Mega's bidirectional
 * variant (a second kernel over the reversed sequence) is not built.
 *
 * @example
 * ```ts
 * const { output } = megaEma(x, { name: 'mega.ema', components: 16 }); // x [B, L, D]
 * ```
 * @throws ShapeError when x is not `[B, L, D]` with a static D.
 */
export function megaEma(x: Node, options: MegaEmaOptions): AppliedMegaEma {
  const { name, components: n } = options;
  const [batch, length, channels] = x.shape;
  if (x.rank !== 3 || typeof channels !== 'number')
    throw new ShapeError(`Mega EMA "${name}": x must be [B, L, D] with a static D`, {
      block: name,
      tensor: 'x',
      expected: '[B, L, D]',
      actual: `[${x.shape.join(', ')}]`,
    });
  const perChannel = (suffix: string) =>
    reshape(param(`${name}.${suffix}`, [channels, n]), [1, channels, 1, n]);
  const p = sigmoid(perChannel('delta'));
  const damping = sub(1, mul(p, sigmoid(perChannel('alpha'))));
  // x as one value column per channel "head": [B, D, L, 1]; ones of that shape broadcast the
  // per-channel constants to the [B, D, L, N] operands the op reads.
  const value = reshape(permute(x, [0, 2, 1]), [batch!, channels, length!, 1]);
  const ones = add(mul(value, 0), 1);
  const applied = applyLinearAttention(megaEmaSpec(channels, n, name, options.chunkSize), {
    query: mul(ones, mul(perChannel('gamma'), 1 / Math.sqrt(n))),
    key: mul(ones, mul(p, perChannel('beta'))),
    value,
    gate: mul(ones, damping),
    ...(options.state === undefined ? {} : { state: { values: options.state } }),
    ...(options.returnState === true ? { returnState: true } : {}),
  });
  const ema = permute(reshape(applied.output, [batch!, channels, length!]), [0, 2, 1]);
  const output = silu(add(ema, mul(x, param(`${name}.omega`, [channels]))));
  return applied.state === undefined ? { output } : { output, state: applied.state.values };
}

/**
 * Graph input for Mega's EMA state: `${prefix}.state` `[B, D, N, 1]`.
 *
 * @example
 * ```ts
 * const state = megaEmaStateInput(1, 16, 8, 'layers.0.ema');
 * ```
 */
export function megaEmaStateInput(batch: number, channels: number, components: number, prefix: string): Node {
  return input(`${prefix}.state`, [batch, channels, components, 1]);
}
