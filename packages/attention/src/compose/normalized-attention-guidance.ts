import {
  abs,
  add,
  div,
  greater,
  mul,
  type Node,
  permute,
  reshape,
  SpecError,
  sub,
  sum,
  where,
} from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { attention } from '../spec/attention-spec.js';
import { checkNumber, checkOptions } from '../spec/validate.js';

/** The keys and values of one prompt of {@link normalizedAttentionGuidance}. */
export interface GuidanceBranch {
  /** K `[batch, heads, keys, headDim]` (the prompt's tokens; each branch may have its own count). */
  readonly key: Node;
  /** V `[batch, heads, keys, valueDim]`. */
  readonly value: Node;
}

/** Options of {@link normalizedAttentionGuidance}: the paper's φ, τ and α. */
export interface NormalizedAttentionGuidanceOptions {
  /** φ (`nag_scale`), the extrapolation away from the negative prompt, ≥ 1 (the paper: 3 to 11). */
  readonly scale: number;
  /** τ (`nag_tau`), the largest L1 ratio ‖Z̃‖₁/‖Z⁺‖₁ kept, > 0 (the paper: 2.5). */
  readonly tau: number;
  /** α (`nag_alpha`), the weight of the guided features in the blend, in [0, 1] (the paper: 0.25). */
  readonly alpha: number;
  /** Block name: prefixes the kernels' labels. Default `nag`. */
  readonly name?: string;
}

/** What {@link normalizedAttentionGuidance} builds, all with merged heads `[batch, queries, heads·valueDim]`. */
export interface NormalizedAttentionGuidanceResult {
  /** Z = αẐ + (1 − α)Z⁺, the features before the output projection. */
  readonly output: Node;
  /** Z⁺ = Attn(Q, K⁺, V⁺). */
  readonly positive: Node;
  /** Z⁻ = Attn(Q, K⁻, V⁻). */
  readonly negative: Node;
}

/**
 * Normalized Attention Guidance (Chen et al. 2025, catalog paper 35) in a cross-attention layer:
 * one query attends to the positive and to the negative prompt, Z⁺ = Attn(Q, K⁺, V⁺) and
 * Z⁻ = Attn(Q, K⁻, V⁻) (softmax, scale 1/√d, no mask); then per query token, over the merged-heads
 * feature vector,
 *
 *   Z̃ = φZ⁺ − (φ − 1)Z⁻,  r = ‖Z̃‖₁/‖Z⁺‖₁,  Ẑ = Z̃ · min(r, τ)/r,  Z = αẐ + (1 − α)Z⁺.
 *
 * min(r, τ)/r is computed as `r > τ ? τ/r : 1` (equal wherever r > 0, and Ẑ = 0 rather than 0/0
 * where Z̃ = 0). Runs as two fused attention kernels (the branches' key sets differ, so their
 * softmaxes are separate rows) and one row kernel for the whole epilogue, whose L1 norms span all
 * heads.
 *
 * @example
 * ```ts
 * const query = input('q', [1, 2, 64, 16]);
 * const branch = (name: string, keys: number) => ({
 *   key: input(`${name}.k`, [1, 2, keys, 16]),
 *   value: input(`${name}.v`, [1, 2, keys, 16]),
 * });
 * const { output } = normalizedAttentionGuidance(
 *   { query, positive: branch('positive', 20), negative: branch('negative', 12) },
 *   { scale: 3, tau: 2.5, alpha: 0.25 },
 * ); // [1, 64, 32]
 * ```
 */
export function normalizedAttentionGuidance(
  inputs: { readonly query: Node; readonly positive: GuidanceBranch; readonly negative: GuidanceBranch },
  options: NormalizedAttentionGuidanceOptions,
): NormalizedAttentionGuidanceResult {
  const { name, batch, heads, queries, headDim, valueDim, scale, tau, alpha } = checkGuidance(
    inputs,
    options,
  );
  const branch = (which: 'positive' | 'negative') => {
    const spec = attention({ name: `${name}.${which}`, heads, headDim, valueDim });
    const { key, value } = inputs[which];
    const { output } = applyAttention(spec, { query: inputs.query, key, value });
    return reshape(permute(output, [0, 2, 1, 3]), [batch, queries, heads * valueDim]);
  };
  const positive = branch('positive');
  const negative = branch('negative');
  const guided = sub(mul(positive, scale), mul(negative, scale - 1));
  const ratio = div(sum(abs(guided), -1, { keepDims: true }), sum(abs(positive), -1, { keepDims: true }));
  const clipped = mul(guided, where(greater(ratio, tau), div(tau, ratio), 1));
  const output = add(mul(clipped, alpha), mul(positive, 1 - alpha));
  return { output, positive, negative };
}

function checkGuidance(
  inputs: { readonly query: Node; readonly positive: GuidanceBranch; readonly negative: GuidanceBranch },
  options: NormalizedAttentionGuidanceOptions,
) {
  const builder = 'normalizedAttentionGuidance';
  checkOptions(builder, options, ['scale', 'tau', 'alpha', 'name'], true);
  const name = options.name ?? 'nag';
  if (typeof name !== 'string' || name === '')
    throw new SpecError(`${builder}: option "name" must be a non-empty string`, { actual: String(name) });
  const scale = checkNumber(builder, 'option "scale"', options.scale, { min: 1 });
  const tau = checkNumber(builder, 'option "tau"', options.tau, { above: 0 });
  const alpha = checkNumber(builder, 'option "alpha"', options.alpha, { min: 0, max: 1 });
  const [batch, heads, queries, headDim] = staticShape(inputs.query, name, 'query');
  let valueDim: number | undefined;
  for (const which of ['positive', 'negative'] as const) {
    const [keyBatch, keyHeads, keys, keyDim] = staticShape(inputs[which]?.key, name, `${which}.key`);
    const value = staticShape(inputs[which]?.value, name, `${which}.value`);
    valueDim ??= value[3];
    const expected = [
      [`${which}.key`, [keyBatch, keyHeads, keyDim], [batch, heads, headDim]],
      [`${which}.value`, value, [batch, heads, keys, valueDim]],
    ] as const;
    for (const [tensor, actual, wanted] of expected)
      if (actual.some((size, axis) => size !== wanted[axis]))
        throw new SpecError(`${builder} "${name}": ${tensor} does not match the query and the other branch`, {
          block: name,
          tensor,
          expected: `[${wanted.join(', ')}]`,
          actual: `[${actual.join(', ')}]`,
        });
  }
  return { name, batch, heads, queries, headDim, valueDim: valueDim!, scale, tau, alpha };
}

function staticShape(
  node: Node | undefined,
  block: string,
  tensor: string,
): [number, number, number, number] {
  const shape = node?.shape;
  if (shape?.length !== 4 || !shape.every((size) => typeof size === 'number'))
    throw new SpecError(
      `normalizedAttentionGuidance "${block}": ${tensor} must be [batch, heads, length, dim] with static sizes`,
      {
        block,
        tensor,
        expected: 'rank 4, static',
        actual: shape === undefined ? String(node) : `[${shape.map(String).join(', ')}]`,
      },
    );
  return shape as [number, number, number, number];
}
