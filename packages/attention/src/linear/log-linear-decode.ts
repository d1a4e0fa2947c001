import { add, exp, input, matmul, mul, type Node, reshape, ShapeError, slice, sum } from '@weft/ir';
import { fenwickCarry } from './fenwick-levels.js';
import type { LogLinearState } from './log-linear-attention.js';

/** Operands of {@link logLinearDecodeStep}: one position. */
export interface LogLinearStepOperands {
  /** q_t `[B, H, 1, d_k]`. */
  readonly query: Node;
  /** k_t `[B, H, 1, d_k]`. */
  readonly key: Node;
  /** v_t `[B, H, 1, d_v]`. */
  readonly value: Node;
  /** λ_t `[B, H, 1, L + 1]` (levels 0 … L, L the state's levels). */
  readonly levelWeights: Node;
  /** a_t `[B, H, 1]` (Mamba-2's log decay), or omitted for A = 1. */
  readonly logDecay?: Node;
  /** The state before position t (zeros and t = 0 for a new sequence). */
  readonly state: LogLinearState;
}

/** What {@link logLinearDecodeStep} builds. */
export interface LogLinearStep {
  /** o_t `[B, H, 1, d_v]`. */
  readonly output: Node;
  /** The state after position t. */
  readonly state: LogLinearState;
}

/**
 * One decode step of log-linear attention (catalog paper 109) on its Fenwick state: the levels are
 * decayed by exp(a_t), o_t = λ_t^(0) (q_t·k_t) v_t + Σ_{ℓ≥1} λ_t^(ℓ) q_tᵀ S^(ℓ), then the binary
 * carry of t + 1 merges: with j the trailing ones of t, S^(j+1) ← k_t v_tᵀ + Σ_{ℓ≤j} S^(ℓ) and levels
 * 1 … j are emptied; t advances by one on the device. The cost is O(L · d_k · d_v) whatever t: L
 * state levels serve 2^L − 1 positions (the merge after position 2^L − 1 would need level L + 1).
 *
 * @example
 * ```ts
 * const state = logLinearStateInputs(1, 4, 4, 16, 16, 'layer.0');
 * const step = logLinearDecodeStep({ query, key, value, levelWeights, logDecay, state }, 'layer.0');
 * ```
 * @throws ShapeError naming the operand whose shape does not match the state.
 */
export function logLinearDecodeStep(operands: LogLinearStepOperands, name: string): LogLinearStep {
  const { query, key, value, levelWeights, logDecay, state } = operands;
  const [B, H, L, dk, dv] = state.levels.shape as number[];
  const fail = (tensor: string, expected: string, actual: Node) =>
    new ShapeError(`log-linear decode step "${name}": ${tensor} must be ${expected}`, {
      block: name,
      tensor,
      expected,
      actual: `[${actual.shape.join(', ')}]`,
    });
  const same = (x: Node, shape: readonly number[]) =>
    x.rank === shape.length && x.shape.every((dim, axis) => dim === shape[axis]);
  if (state.levels.rank !== 5 || ![B, H, L, dk, dv].every((dim) => typeof dim === 'number'))
    throw fail('state.levels', '[B, H, L, d_k, d_v] with static dims', state.levels);
  if (!same(state.position, [1])) throw fail('state.position', '[1]', state.position);
  if (!same(query, [B!, H!, 1, dk!])) throw fail('query', `[${B}, ${H}, 1, ${dk}]`, query);
  if (!same(key, [B!, H!, 1, dk!])) throw fail('key', `[${B}, ${H}, 1, ${dk}]`, key);
  if (!same(value, [B!, H!, 1, dv!])) throw fail('value', `[${B}, ${H}, 1, ${dv}]`, value);
  if (!same(levelWeights, [B!, H!, 1, L! + 1]))
    throw fail('levelWeights', `[${B}, ${H}, 1, ${L! + 1}] (the state's levels + level 0)`, levelWeights);
  if (logDecay !== undefined && !same(logDecay, [B!, H!, 1]))
    throw fail('logDecay', `[${B}, ${H}, 1]`, logDecay);

  const levels =
    logDecay === undefined ? state.levels : mul(state.levels, reshape(exp(logDecay), [B!, H!, 1, 1, 1]));
  const fromLevels = matmul(reshape(query, [B!, H!, 1, 1, dk!]), levels); // [B, H, L, 1, d_v]
  const upperWeights = reshape(slice(levelWeights, [0, 0, 0, 1], [B!, H!, 1, L! + 1]), [B!, H!, L!, 1, 1]);
  const past = reshape(sum(mul(fromLevels, upperWeights), 2), [B!, H!, 1, dv!]);
  const diagonal = mul(
    mul(sum(mul(query, key), 3, { keepDims: true }), slice(levelWeights, [0, 0, 0, 0], [B!, H!, 1, 1])),
    value,
  );
  const output = add(diagonal, past);

  const outer = reshape(matmul(key, value, { transposeA: true }), [B!, H!, 1, dk!, dv!]);
  const nextLevels = fenwickCarry(levels, outer, state.position);
  return { output, state: { levels: nextLevels, position: add(state.position, 1) } };
}

/**
 * Graph inputs for the decode state: `${prefix}.levels` `[B, H, L, d_k, d_v]` and
 * `${prefix}.position` `[1]`.
 *
 * @example
 * ```ts
 * const state = logLinearStateInputs(1, 4, 4, 16, 16, 'layer.0'); // 4 levels: up to 15 positions
 * ```
 */
export function logLinearStateInputs(
  batch: number,
  heads: number,
  levels: number,
  keyDim: number,
  valueDim: number,
  prefix: string,
): LogLinearState {
  return {
    levels: input(`${prefix}.levels`, [batch, heads, levels, keyDim, valueDim]),
    position: input(`${prefix}.position`, [1]),
  };
}
