import { div, exp, input, max, mul, type Node, ShapeError, sub, sum } from '@weft/ir';
import { applyLinearAttention } from './apply-linear-attention.js';
import { identity } from './feature-maps.js';
import { type LinearAttentionSpec, linearAttention } from './linear-attention-spec.js';
import { logCumSumExp, logSumExpOverPositions, runningMaxOperands } from './running-max.js';

/** Latte's causal decode state per batch and head: running max, log-sum-exp and values per latent. */
export interface LatteState {
  /** m_l, the running max of the scaled keys `[B, H, 1, L]`. */
  readonly max: Node;
  /** log Σ_s e^(k_s,l) `[B, H, 1, L]`. */
  readonly logSum: Node;
  /** S_l = Σ_s e^(k_s,l − m_l) v_s `[B, H, L, d_v]`. */
  readonly values: Node;
}

/** Options of {@link applyLatte}. */
export interface LatteOptions {
  /** Block name (errors, kernel labels). */
  readonly name: string;
  /** y_t sees s ≤ t (default true); false is the bidirectional form. */
  readonly causal?: boolean;
  /** Scale of q and k (default 1/√L, the paper's). */
  readonly scale?: number;
  /** Positions per chunk of the causal sweep (default the op's). */
  readonly chunkSize?: number;
  /** The state before the first position (causal only): the call continues a sequence. */
  readonly state?: LatteState;
  /** Also return the state after the last position (causal only; implied by `state`). */
  readonly returnState?: boolean;
}

/** What {@link applyLatte} builds. */
export interface AppliedLatte {
  /** y `[B, H, N, d_v]`. */
  readonly output: Node;
  /** The state after the last position, when a state was given or asked for. */
  readonly state?: LatteState;
}

/**
 * The linear-attention spec under Latte: identity φ, no denominator (the normalization is in the
 * operands), L latent features; causal ones are gated by the running max.
 *
 * @example
 * ```ts
 * const spec = latteSpec(4, 16, 16, 'latte', true);
 * ```
 */
export function latteSpec(
  heads: number,
  latents: number,
  valueDim: number,
  name: string,
  causal: boolean,
  chunkSize?: number,
): LinearAttentionSpec {
  return linearAttention({
    heads,
    headDim: latents,
    valueDim,
    featureMap: identity(),
    denominator: false,
    gated: causal,
    causal,
    ...(chunkSize === undefined ? {} : { chunkSize }),
    name,
  });
}

/**
 * Latte, latent attention for linear time (Dolga et al. 2024, catalog paper 81): with L latents per
 * head (the head dim of q and k, both scaled by 1/√L), p(l|t) = softmax_l(q_t) and, causal,
 * y_t = Σ_l p(l|t) Σ_{s≤t} e^(k_s,l) v_s / Σ_{s≤t} e^(k_s,l) (bidirectional: every s, which is
 * softmax_row(Q)·(softmax_col(K)ᵀV)). The causal form tracks per latent the running max m_t,l and
 * the log-sum-exp λ_t,l = log Σ_{s≤t} e^(k_s,l) (a scan): gated linear attention with key features
 * e^(k_t − m_t), gates e^(m_{t−1} − m_t) and query features p(l|t) e^(m_t,l − λ_t,l), so every
 * exponent is ≤ 0 (the reference's plain e^k overflows for long sequences). A decode step is the
 * same call on one position with `state` (m, λ, S): L·(d_v + 2) numbers per head, whatever the past.
 *
 * @example
 * ```ts
 * const { output, state } = applyLatte(query, key, value, { name: 'latte', returnState: true });
 * const step = applyLatte(q1, k1, v1, { name: 'latte', state: latteStateInputs(1, 4, 16, 16, 'layer0') });
 * ```
 * @throws ShapeError when q, k, v are not `[B, H, N, L]`, `[B, H, N, L]`, `[B, H, N, d_v]` with
 * static H, L and d_v, or a state is asked of the bidirectional form.
 */
export function applyLatte(query: Node, key: Node, value: Node, options: LatteOptions): AppliedLatte {
  const { name, state } = options;
  const causal = options.causal ?? true;
  const [, heads, , latents] = query.shape;
  const valueDim = value.shape[3];
  if (
    query.rank !== 4 ||
    value.rank !== 4 ||
    typeof heads !== 'number' ||
    typeof latents !== 'number' ||
    typeof valueDim !== 'number'
  )
    throw new ShapeError(
      `Latte "${name}": q, k, v must be [B, H, N, L] and [B, H, N, d_v] with static H, L, d_v`,
      {
        block: name,
        tensor: 'query',
        expected: '[B, H, N, L]',
        actual: `[${query.shape.join(', ')}]`,
      },
    );
  if (!causal && (state !== undefined || options.returnState === true))
    throw new ShapeError(`Latte "${name}": a state needs the causal form`, {
      block: name,
      tensor: 'state',
      expected: 'causal: true',
      actual: 'causal: false',
    });
  const scale = options.scale ?? 1 / Math.sqrt(latents);
  const scaledQuery = mul(query, scale);
  const scaledKey = mul(key, scale);
  const latentWeights = softmaxLast(scaledQuery);
  const spec = latteSpec(heads, latents, valueDim, name, causal, options.chunkSize);
  if (!causal) {
    const columnMax = max(scaledKey, 2, { keepDims: true });
    const keyExp = exp(sub(scaledKey, columnMax));
    const keyWeights = div(keyExp, sum(keyExp, 2, { keepDims: true }));
    return { output: applyLinearAttention(spec, { query: latentWeights, key: keyWeights, value }).output };
  }
  const running = runningMaxOperands(scaledKey, state?.max);
  const logSums = logCumSumExp(scaledKey, state?.logSum);
  const applied = applyLinearAttention(spec, {
    query: mul(latentWeights, exp(sub(running.max, logSums))),
    key: running.features,
    value,
    gate: running.gate,
    ...(state === undefined ? {} : { state: { values: state.values } }),
    ...(options.returnState === true ? { returnState: true } : {}),
  });
  if (applied.state === undefined) return { output: applied.output };
  return {
    output: applied.output,
    state: {
      max: running.last,
      logSum: logSumExpOverPositions(scaledKey, state?.logSum),
      values: applied.state.values,
    },
  };
}

/**
 * Graph inputs for Latte's state: `${prefix}.max` and `${prefix}.logSum` `[B, H, 1, L]`,
 * `${prefix}.state` `[B, H, L, d_v]`.
 *
 * @example
 * ```ts
 * const state = latteStateInputs(1, 4, 16, 16, 'layers.0.latte');
 * ```
 */
export function latteStateInputs(
  batch: number,
  heads: number,
  latents: number,
  valueDim: number,
  prefix: string,
): LatteState {
  return {
    max: input(`${prefix}.max`, [batch, heads, 1, latents]),
    logSum: input(`${prefix}.logSum`, [batch, heads, 1, latents]),
    values: input(`${prefix}.state`, [batch, heads, latents, valueDim]),
  };
}

/** softmax along the last axis (max-subtracted). */
function softmaxLast(x: Node): Node {
  const shifted = exp(sub(x, max(x, 3, { keepDims: true })));
  return div(shifted, sum(shifted, 3, { keepDims: true }));
}
