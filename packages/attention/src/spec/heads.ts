import { SpecError } from '@weft/ir';
import { checkOptions, describeValue, genuinePart, I32_MAX } from './validate.js';

/** Options of {@link weightedGqa}. */
export interface WeightedGqaOptions {
  /** Query heads H. */
  readonly heads: number;
  /** Key/value heads H_kv. */
  readonly kvHeads: number;
  /** Where the weights come from: a learned parameter `${block}.kvWeights` of shape `[H, H_kv]`. */
  readonly weights: 'learned';
}

/** A head layout whose query heads read learned mixes of the key/value heads. */
export interface WeightedGqa {
  /** Discriminant. */
  readonly kind: 'heads';
  /** Layout name. */
  readonly name: 'weightedGqa';
  /** Query heads. */
  readonly heads: number;
  /** Key/value heads. */
  readonly kvHeads: number;
  /** Weight source. */
  readonly weights: 'learned';
}

/**
 * Weighted grouped-query attention (WGQA, catalog paper 47): query head h attends with
 *
 * `K_h = Σ_j w[h, j] · K_j`, `V_h = Σ_j w[h, j] · V_j` (j over the H_kv key/value heads),
 *
 * with `w` the learned parameter `${block}.kvWeights` `[H, H_kv]`, applied before QK norm and RoPE.
 * One-hot rows w[h, ⌊h·H_kv/H⌋] = 1 give plain GQA. The paper's up-training form — group g's
 * projection Σ_{i∈G_g} w_i·W^(i) over the heads of an MHA checkpoint — is this op with the
 * checkpoint's per-head keys and values as the H_kv heads and w zero outside each group; the
 * paper shares no weights between K and V, this layout uses one `w` for both.
 *
 * @example
 * ```ts
 * attention({ heads: weightedGqa({ heads: 8, kvHeads: 2, weights: 'learned' }), headDim: 64, mask: causal() });
 * ```
 */
export function weightedGqa(options: WeightedGqaOptions): WeightedGqa {
  checkOptions('weightedGqa', options, ['heads', 'kvHeads', 'weights'], true);
  for (const key of ['heads', 'kvHeads'] as const) {
    const value = options[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > I32_MAX)
      throw new SpecError(`weightedGqa: ${key} must be a positive integer`, {
        expected: 'integer >= 1',
        actual: describeValue(value),
      });
  }
  if (options.weights !== 'learned')
    throw new SpecError('weightedGqa: unknown weights', {
      expected: "'learned'",
      actual: describeValue(options.weights),
    });
  return genuinePart(
    Object.freeze({
      kind: 'heads',
      name: 'weightedGqa',
      heads: options.heads,
      kvHeads: options.kvHeads,
      weights: 'learned',
    }),
  );
}
