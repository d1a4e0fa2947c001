import { input, type Node, ShapeError } from '@weft/ir';
import { aarenScores, onesLike } from './aaren-attention.js';
import { applyLinearAttention } from './apply-linear-attention.js';
import { identity } from './feature-maps.js';
import { type LinearAttentionSpec, linearAttention } from './linear-attention-spec.js';
import { runningMaxOperands } from './running-max.js';

/** Aaren's decode state (m, u, w) for each batch and head. */
export interface AarenState {
  /** m, the running max of the scores `[B, H, 1, 1]`. */
  readonly max: Node;
  /** u = Σ_i e^(s_i − m) `[B, H, 1]`. */
  readonly keys: Node;
  /** w = Σ_i e^(s_i − m) v_i `[B, H, 1, d_v]`. */
  readonly values: Node;
}

/** Options of {@link applyAaren}. */
export interface AarenOptions {
  /** Block name; the learned query is the parameter `${name}.query` `[H, d]`. */
  readonly name: string;
  /** Positions per chunk of the causal sweep (default the op's). */
  readonly chunkSize?: number;
  /** The state (m, u, w) before the first position: the call continues a sequence. */
  readonly state?: AarenState;
  /** Also return the state after the last position (implied by `state`). */
  readonly returnState?: boolean;
}

/** What {@link applyAaren} builds. */
export interface AppliedAaren {
  /** o_t `[B, H, N, d_v]`. */
  readonly output: Node;
  /** (m, u, w) after the last position, when a state was given or asked for. */
  readonly state?: AarenState;
}

/**
 * The gated one-feature linear-attention spec of Aaren with a running max: identity φ, φ(q) = 1,
 * the denominator at ε 0, a gate e^(m_{t−1} − m_t) per position.
 *
 * @example
 * ```ts
 * const spec = aarenSpec(4, 16, 'aaren');
 * ```
 */
export function aarenSpec(
  heads: number,
  valueDim: number,
  name: string,
  chunkSize?: number,
): LinearAttentionSpec {
  return linearAttention({
    heads,
    headDim: 1,
    valueDim,
    featureMap: identity(),
    denominator: { epsilon: 0 },
    gated: true,
    causal: true,
    ...(chunkSize === undefined ? {} : { chunkSize }),
    name,
  });
}

/**
 * Aaren, attention as an RNN (Feng et al. 2024, catalog paper 100), with the paper's running max:
 * s_i = q·k_i (q the learned query), o_t = Σ_{i≤t} e^(s_i) v_i / Σ_{i≤t} e^(s_i), carried as the
 * scan state (m, u, w) with m_t = max(m_{t−1}, s_t), u_t = u_{t−1} e^(m_{t−1} − m_t) + e^(s_t − m_t),
 * w_t likewise with v_t, o_t = w_t / u_t. It is the gated one-feature linear attention of
 * {@link aarenSpec} on `runningMaxOperands(s)`: the chunked sweep is the prefill's prefix scan, and
 * the same call on one position with `state` is a decode step whose cost (a state of 2 + d_v
 * numbers per head) does not grow with the past. Every exponent is ≤ 0, so the state never
 * overflows, whatever the scores.
 *
 * @example
 * ```ts
 * const prefill = applyAaren(key, value, { name: 'aaren', returnState: true });
 * const step = applyAaren(keyRow, valueRow, { name: 'aaren', state: aarenStateInputs(1, 4, 16, 'layer0') });
 * ```
 * @throws ShapeError when the key is not `[B, H, N, d]` with static H and d, or the value has no static d_v.
 */
export function applyAaren(key: Node, value: Node, options: AarenOptions): AppliedAaren {
  const { name, state } = options;
  const [, heads] = key.shape;
  const valueDim = value.shape[3];
  if (typeof heads !== 'number' || typeof valueDim !== 'number' || value.rank !== 4)
    throw new ShapeError(`Aaren "${name}": value must be [B, H, N, d_v] with static H and d_v`, {
      block: name,
      tensor: 'value',
      expected: '[B, H, N, d_v]',
      actual: `[${value.shape.join(', ')}]`,
    });
  const scores = aarenScores(key, name);
  const running = runningMaxOperands(scores, state?.max);
  const spec = aarenSpec(heads, valueDim, name, options.chunkSize);
  const applied = applyLinearAttention(spec, {
    query: onesLike(scores),
    key: running.features,
    value,
    gate: running.gate,
    ...(state === undefined ? {} : { state: { values: state.values, keys: state.keys } }),
    ...(options.returnState === true ? { returnState: true } : {}),
  });
  if (applied.state === undefined) return { output: applied.output };
  return {
    output: applied.output,
    state: { max: running.last, keys: applied.state.keys!, values: applied.state.values },
  };
}

/**
 * Graph inputs for Aaren's state: `${prefix}.max` `[B, H, 1, 1]`, `${prefix}.keyState` `[B, H, 1]`
 * and `${prefix}.state` `[B, H, 1, d_v]`.
 *
 * @example
 * ```ts
 * const state = aarenStateInputs(1, 4, 16, 'layers.0.aaren');
 * ```
 */
export function aarenStateInputs(batch: number, heads: number, valueDim: number, prefix: string): AarenState {
  return {
    max: input(`${prefix}.max`, [batch, heads, 1, 1]),
    keys: input(`${prefix}.keyState`, [batch, heads, 1]),
    values: input(`${prefix}.state`, [batch, heads, 1, valueDim]),
  };
}
