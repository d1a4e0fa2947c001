import { input, makeNode, type Node, SpecError } from '@weft/ir';
import { linearAttentionAttrs, linearStateAttrs } from './linear-attention-attrs.js';
import { linearAttentionOp, linearStateOp } from './linear-attention-op.js';
import type { LinearAttentionSpec } from './linear-attention-spec.js';
import { applyOutputNorm } from './output-norm-op.js';

/** A recurrent state of linear attention: S `[B, H, d_k, d_v]` and, with a denominator, z `[B, H, d_k]`. */
export interface LinearAttentionState {
  /** S = Σ γ^(T−1−t) φ(k_t) v_tᵀ. */
  readonly values: Node;
  /** z = Σ γ^(T−1−t) φ(k_t) (only with a denominator). */
  readonly keys?: Node;
}

/** Operands of {@link applyLinearAttention}. */
export interface LinearAttentionOperands {
  /** `[B, H, Nq, d_k]`. */
  readonly query: Node;
  /** `[B, H, Nk, d_k]`. */
  readonly key: Node;
  /** `[B, H, Nk, d_v]`. */
  readonly value: Node;
  /**
   * Gates g_t `[B, H, Nk, d_k]` in (0, 1], one per position and key dimension, when the spec is
   * `gated` (ReGLA's refined gate: `reglaRefinedGate`): S_t = diag(g_t) S_{t−1} + φ(k_t) v_tᵀ.
   */
  readonly gate?: Node;
  /** The state before the first position (causal only): the step continues a sequence. */
  readonly state?: LinearAttentionState;
  /** Also return the state after the last position (implied by `state`). */
  readonly returnState?: boolean;
}

/** What {@link applyLinearAttention} builds. */
export interface AppliedLinearAttention {
  /** `[B, H, Nq, d_v]`. */
  readonly output: Node;
  /** The state after the last position, when a state was given or asked for. */
  readonly state?: LinearAttentionState;
}

/**
 * Builds the nodes of `spec` over `query`, `key`, `value`: one `linearAttention` node (one fused
 * kernel; with `outputNorm`, followed by the norm's nodes, one fused row kernel), and with `state`/`returnState` the `linearAttention.state` nodes of the next state (one
 * kernel each). A decode step is the same call on one position with the state as graph inputs and
 * the returned state as outputs, kept on the device by `compile(graph, { state })`.
 *
 * @example
 * ```ts
 * const spec = linearAttention({ heads: 4, headDim: 16, causal: true });
 * const state = linearAttentionStateInputs(spec, 1, 'layer0');
 * const step = applyLinearAttention(spec, { query, key, value, state });
 * const graph = makeGraph({ output: step.output, 'layer0.state': step.state!.values, 'layer0.keyState': step.state!.keys! });
 * const program = await compile(graph, { device, extensions: [linearAttentionExtension], state: { 'layer0.state': 'layer0.state', 'layer0.keyState': 'layer0.keyState' } });
 * ```
 * @throws SpecError when a state is used without `causal`, or lacks the key sums a denominator needs,
 * or a gate is given to an ungated spec (or missing from a gated one).
 */
export function applyLinearAttention(
  spec: LinearAttentionSpec,
  operands: LinearAttentionOperands,
): AppliedLinearAttention {
  const { value, state } = operands;
  const block = spec.name;
  const expansion = spec.featureExpansion;
  const { query, key } =
    expansion === null ? operands : expansion.expand(operands.query, operands.key, block);
  if ((state !== undefined || operands.returnState === true) && !spec.causal)
    throw new SpecError(`linear attention "${block}": a recurrent state needs causal: true`, {
      block,
      expected: 'causal: true',
      actual: 'causal: false',
    });
  if (state !== undefined && (spec.denominator !== null) !== (state.keys !== undefined))
    throw new SpecError(
      `linear attention "${block}": the state has key sums exactly when the spec has a denominator`,
      {
        block,
        tensor: 'keyState',
        expected: spec.denominator === null ? 'no key sums' : 'state.keys [B, H, d_k]',
        actual: state.keys === undefined ? 'none' : 'given',
      },
    );
  const gate = operands.gate;
  if (spec.gated !== (gate !== undefined))
    throw new SpecError(
      `linear attention "${block}": a gate operand is given exactly when the spec is gated`,
      {
        block,
        tensor: 'gate',
        expected: spec.gated ? 'gate [B, H, N, d_k]' : 'no gate (gated: false)',
        actual: gate === undefined ? 'none' : 'given',
      },
    );
  const gates = gate === undefined ? [] : [gate];
  const stateOperands =
    state === undefined ? [] : [state.values, ...(state.keys === undefined ? [] : [state.keys])];
  const attended = makeNode(
    linearAttentionOp,
    [query, key, value, ...gates, ...stateOperands],
    linearAttentionAttrs(spec, state !== undefined),
    block,
  );
  const output = spec.outputNorm === null ? attended : applyOutputNorm(attended, spec.outputNorm, block);
  if (state === undefined && operands.returnState !== true) return { output };
  const withState = state !== undefined;
  const values = makeNode(
    linearStateOp,
    [key, value, ...gates, ...(withState ? [state.values] : [])],
    linearStateAttrs(spec, 'values', withState),
    block,
  );
  if (spec.denominator === null) return { output, state: { values } };
  const keys = makeNode(
    linearStateOp,
    [key, ...gates, ...(withState ? [state.keys!] : [])],
    linearStateAttrs(spec, 'keys', withState),
    block,
  );
  return { output, state: { values, keys } };
}

/**
 * Graph inputs for a state of `spec` with batch `batch`: `${prefix}.state` `[B, H, d_k, d_v]` and,
 * with a denominator, `${prefix}.keyState` `[B, H, d_k]` (d_k: the spec's `featureDim`).
 *
 * @example
 * ```ts
 * const state = linearAttentionStateInputs(spec, 1, 'layers.0.attn');
 * ```
 */
export function linearAttentionStateInputs(
  spec: LinearAttentionSpec,
  batch: number,
  prefix: string,
): LinearAttentionState {
  const values = input(`${prefix}.state`, [batch, spec.heads, spec.featureDim, spec.valueDim]);
  if (spec.denominator === null) return { values };
  return { values, keys: input(`${prefix}.keyState`, [batch, spec.heads, spec.featureDim]) };
}
