import {
  add,
  input,
  mul,
  type Node,
  param,
  permute,
  reshape,
  ShapeError,
  SpecError,
  sigmoid,
  silu,
  slice,
  sub,
} from '@weft/ir';
import { applyLinearAttention } from './apply-linear-attention.js';
import { identity } from './feature-maps.js';
import { type LinearAttentionSpec, linearAttention } from './linear-attention-spec.js';

/** Options of {@link megaEma}. */
export interface MegaEmaOptions {
  /**
   * Block name; the parameters are `${name}.delta`, `.alpha`, `.beta`, `.gamma` `[D, N]` (`[2D, N]`
   * when bidirectional: the forward rows, then the backward rows, fairseq's layout) and `.omega` `[D]`.
   */
  readonly name: string;
  /** N, the EMA components per channel (Mega's `ndim`, typically 16). */
  readonly components: number;
  /** Positions per chunk of the causal sweep (default the op's). */
  readonly chunkSize?: number;
  /**
   * Also run a second EMA with its own parameters over the reversed sequence and add it (fairseq's
   * `bidirectional`): non-causal, so it takes no state. Default false.
   */
  readonly bidirectional?: boolean;
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
 * `state` is a decode step on h `[B, D, N, 1]`, whatever the past length. With `bidirectional`, a
 * second EMA with its own parameters runs over the reversed sequence and adds its output before
 * the SiLU: y_t = SiLU(Σ_{j≤t} k1[t−j] x_j + Σ_{j≥t} k2[j−t] x_j + ω x_t), fairseq's two-sided kernel.
 *
 * @example
 * ```ts
 * const { output } = megaEma(x, { name: 'mega.ema', components: 16 }); // x [B, L, D]
 * ```
 * @throws ShapeError when x is not `[B, L, D]` with a static D (and L, when bidirectional).
 * @throws SpecError when a bidirectional EMA is given or asked for a state.
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
  const bidirectional = options.bidirectional === true;
  if (bidirectional && (options.state !== undefined || options.returnState === true))
    throw new SpecError(`Mega EMA "${name}": the bidirectional EMA is non-causal and takes no state`, {
      block: name,
      expected: 'no state and no returnState',
      actual: options.state === undefined ? 'returnState: true' : 'a state',
    });
  if (bidirectional && typeof length !== 'number')
    throw new ShapeError(`Mega EMA "${name}": the bidirectional EMA reverses x, so L must be static`, {
      block: name,
      tensor: 'x',
      expected: '[B, L, D] with a static L',
      actual: `[${x.shape.join(', ')}]`,
    });
  const rows = bidirectional ? 2 * channels : channels;
  const sweep = (source: Node, first: number, state?: Node, returnState?: boolean) => {
    const perChannel = (suffix: string) => {
      const table = param(`${name}.${suffix}`, [rows, n]);
      const own = bidirectional ? slice(table, [first], [first + channels]) : table;
      return reshape(own, [1, channels, 1, n]);
    };
    const p = sigmoid(perChannel('delta'));
    const damping = sub(1, mul(p, sigmoid(perChannel('alpha'))));
    // x as one value column per channel "head": [B, D, L, 1]; ones of that shape broadcast the
    // per-channel constants to the [B, D, L, N] operands the op reads.
    const value = reshape(permute(source, [0, 2, 1]), [batch!, channels, length!, 1]);
    const ones = add(mul(value, 0), 1);
    const applied = applyLinearAttention(megaEmaSpec(channels, n, name, options.chunkSize), {
      query: mul(ones, mul(perChannel('gamma'), 1 / Math.sqrt(n))),
      key: mul(ones, mul(p, perChannel('beta'))),
      value,
      gate: mul(ones, damping),
      ...(state === undefined ? {} : { state: { values: state } }),
      ...(returnState === true ? { returnState: true } : {}),
    });
    return {
      ema: permute(reshape(applied.output, [batch!, channels, length!]), [0, 2, 1]),
      state: applied.state?.values,
    };
  };
  const forward = sweep(x, 0, options.state, options.returnState);
  // The backward EMA is the causal EMA of the reversed sequence, reversed back: both directions
  // include the current position, as fairseq's two-sided kernel k1[t−j] (j ≤ t) + k2[j−t] (j ≥ t).
  const reverse = (node: Node) => slice(node, [0, -1], [batch as number, -(length as number) - 1], [1, -1]);
  const ema = bidirectional ? add(forward.ema, reverse(sweep(reverse(x), channels).ema)) : forward.ema;
  const output = silu(add(ema, mul(x, param(`${name}.omega`, [channels]))));
  return forward.state === undefined ? { output } : { output, state: forward.state };
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
