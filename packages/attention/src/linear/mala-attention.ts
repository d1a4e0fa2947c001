import {
  add,
  astype,
  concat,
  cumsum,
  div,
  full,
  literal,
  mean,
  mul,
  type Node,
  reciprocal,
  ShapeError,
  SpecError,
  slice,
  sub,
} from '@weft/ir';
import {
  type AppliedLinearAttention,
  applyLinearAttention,
  type LinearAttentionState,
} from './apply-linear-attention.js';
import { elu1 } from './feature-maps.js';
import { type LinearAttentionSpec, linearAttention } from './linear-attention-spec.js';

/** Options of {@link malaAttention}. */
export interface MalaOptions {
  /** Heads of queries, keys and values. */
  readonly heads: number;
  /** d_k. */
  readonly headDim: number;
  /** d_v (default `headDim`). */
  readonly valueDim?: number;
  /** ε in 1/(z_i + ε) (default 1e-6, the reference's). */
  readonly epsilon?: number;
  /** Prefix sums: query i reads keys j ≤ i, and the means are over those i + 1 keys (default false). */
  readonly causal?: boolean;
  /** Positions per chunk of the causal sweep (default 32). */
  readonly chunkSize?: number;
  /** Block name (default `mala`). */
  readonly name?: string;
}

/** A validated MALA spec: the inner linear attention (ELU+1, no denominator, values [v, 1]) and ε. */
export interface MalaSpec {
  /** Discriminant. */
  readonly kind: 'mala';
  /** The linear attention over the values with a ones column appended (d_v + 1 columns). */
  readonly linear: LinearAttentionSpec;
  /** d_v of the output. */
  readonly valueDim: number;
  /** ε in 1/(z_i + ε). */
  readonly epsilon: number;
}

/**
 * Magnitude-Aware Linear Attention, MALA (Fan et al. 2025, catalog paper 103): with φ = ELU+1,
 * s = d_k^(−1/2), the mean key feature k̄ and mean value v̄ over the N keys,
 * z_i = s·φ(q_i)·k̄ and y_i = (1 + 1/(z_i + ε))·(s/N)·Σ_j φ(q_i)·φ(k_j) v_j − z_i·v̄: weights
 * β_i φ(q_i)·φ(k_j) − γ_i that sum to 1 yet grow sharper with ‖φ(q_i)‖ (an additive, not a
 * divisive, normalization). One linear-attention kernel computes U_i = Σ φ(q_i)·φ(k_j) v_j and
 * D_i = Σ φ(q_i)·φ(k_j) at once (values [v, 1], no denominator); the readout is elementwise.
 * Causal: the sums and means run over j ≤ i (N → i + 1), the catalog's prefix-sum form, with the
 * three forms (a decode step carries Σ v and the position besides the op's state). Not included:
 * the vision block's 2-D RoPE on the numerator's features, LePE and the output gate, which
 * `malaVisionBlock` builds around its own numerator.
 *
 * @example
 * ```ts
 * const spec = malaAttention({ heads: 4, headDim: 16 });
 * const { output } = applyMalaAttention(spec, { query, key, value });
 * ```
 * @throws SpecError naming the block when ε is not a finite number >= 0 (and the linear spec's own refusals).
 */
export function malaAttention(options: MalaOptions): MalaSpec {
  const name = options.name ?? 'mala';
  const epsilon = options.epsilon ?? 1e-6;
  if (!(Number.isFinite(epsilon) && epsilon >= 0))
    throw new SpecError(`MALA "${name}": epsilon must be a finite number >= 0`, {
      block: name,
      dimension: 'epsilon',
      expected: '>= 0',
      actual: epsilon,
    });
  const valueDim = options.valueDim ?? options.headDim;
  const linear = linearAttention({
    heads: options.heads,
    headDim: options.headDim,
    valueDim: valueDim + 1,
    featureMap: elu1(),
    denominator: false,
    causal: options.causal ?? false,
    ...(options.chunkSize === undefined ? {} : { chunkSize: options.chunkSize }),
    name,
  });
  return { kind: 'mala', linear, valueDim, epsilon };
}

/** The state of a causal MALA step: the op's state, Σ v so far and the number of past positions. */
export interface MalaState {
  /** S `[B, H, d_k, d_v + 1]` of the inner linear attention (its last column: z). */
  readonly attention: LinearAttentionState;
  /** Σ_j v_j `[B, H, 1, d_v]` over the past positions. */
  readonly valueSum: Node;
  /** `[1]` i32: positions before the first row of the call. */
  readonly past: Node;
}

/** Operands of {@link applyMalaAttention}. */
export interface MalaOperands {
  /** `[B, H, N, d_k]`. */
  readonly query: Node;
  /** `[B, H, N, d_k]`. */
  readonly key: Node;
  /** `[B, H, N, d_v]`. */
  readonly value: Node;
  /** The state before the first row (causal only). */
  readonly state?: MalaState;
  /** Also return the state after the last row (causal only; implied by `state`). */
  readonly returnState?: boolean;
}

/** What {@link applyMalaAttention} builds. */
export interface AppliedMala {
  /** `[B, H, N, d_v]`. */
  readonly output: Node;
  /** The state after the last row (op state and Σ v; the caller advances `past` by N). */
  readonly state?: { readonly attention: AppliedLinearAttention['state']; readonly valueSum: Node };
}

/**
 * Builds MALA over `query`, `key`, `value` (see {@link malaAttention}): one linear-attention kernel,
 * then the elementwise readout.
 *
 * @example
 * ```ts
 * const { output } = applyMalaAttention(malaAttention({ heads: 4, headDim: 16, causal: true }), { query, key, value });
 * ```
 * @throws ShapeError when the values are not `[B, H, N, d_v]` with static N and d_v = the spec's.
 */
export function applyMalaAttention(spec: MalaSpec, operands: MalaOperands): AppliedMala {
  const { value, state } = operands;
  const block = spec.linear.name;
  const [batch, heads, length, width] = value.shape;
  if (
    value.rank !== 4 ||
    typeof batch !== 'number' ||
    typeof heads !== 'number' ||
    typeof length !== 'number' ||
    width !== spec.valueDim
  )
    throw new ShapeError(`MALA "${block}": values must be [B, H, N, ${spec.valueDim}] with static sizes`, {
      block,
      tensor: 'value',
      expected: `[B, H, N, ${spec.valueDim}]`,
      actual: `[${value.shape.join(', ')}]`,
    });
  const ones = full(1, [batch, heads, length, 1]);
  const applied = applyLinearAttention(spec.linear, {
    query: operands.query,
    key: operands.key,
    value: concat([value, ones], 3),
    ...(state === undefined ? {} : { state: state.attention }),
    ...(operands.returnState === true ? { returnState: true } : {}),
  });
  const e = spec.valueDim;
  const numerator = slice(applied.output, [0, 0, 0, 0], [batch, heads, length, e]);
  const weightSum = slice(applied.output, [0, 0, 0, e], [batch, heads, length, e + 1]);
  const s = 1 / Math.sqrt(spec.linear.headDim);
  let count: Node | number = length;
  let valueMean: Node;
  let valueSum: Node | undefined;
  if (spec.linear.causal) {
    // Prefix means: position i (after `past` earlier ones) averages i + 1 keys and values.
    const positions = literal(
      Array.from({ length }, (_, i) => i + 1),
      [length, 1],
    );
    count = state === undefined ? positions : add(positions, astype(state.past, 'f32'));
    valueSum = cumsum(value, 2);
    if (state !== undefined) valueSum = add(valueSum, state.valueSum);
    valueMean = div(valueSum, count);
  } else valueMean = mean(value, 2, { keepDims: true });
  // c = s/N; z_i = c·D_i; y_i = (1 + 1/(z_i + ε))·c·U_i − z_i·v̄.
  const c = typeof count === 'number' ? s / count : div(s, count);
  const z = mul(weightSum, c);
  const output = sub(mul(add(reciprocal(add(z, spec.epsilon)), 1), mul(numerator, c)), mul(z, valueMean));
  if (applied.state === undefined || valueSum === undefined) return { output };
  const lastSum = slice(valueSum, [0, 0, length - 1, 0], [batch, heads, length, e]);
  return { output, state: { attention: applied.state, valueSum: lastSum } };
}
