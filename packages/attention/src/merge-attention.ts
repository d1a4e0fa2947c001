import {
  add,
  div,
  equal,
  exp,
  formatShape,
  log,
  maximum,
  mul,
  type Node,
  reshape,
  ShapeError,
  SpecError,
  shapesEqual,
  sub,
  where,
  withLabel,
} from '@weft/ir';

/** One attention result over a part of the keys: its output and row log-sum-exp. */
export interface AttentionPartial {
  /** O_i `[batch, heads, queries, valueDim]`: attention over this part's keys only. */
  readonly output: Node;
  /** lse_i `[batch, heads, queries]`: its row log-sum-exp (−∞ for a row with no key kept here). */
  readonly logSumExp: Node;
}

/** Options of {@link mergeAttention}. */
export interface MergeAttentionOptions {
  /** Block path that labels the merge's nodes and names it in errors (default `mergeAttention`). */
  readonly name?: string;
}

/**
 * Merges softmax attention computed over disjoint sets of keys into attention over their union,
 * exactly: with lse = log Σ_i exp(lse_i) (computed from m = max_i lse_i, so nothing overflows),
 *
 *   O = Σ_i exp(lse_i − lse) · O_i,
 *
 * since each O_i is its part's exp-weighted values over its own sum exp(lse_i). A row that no part
 * keeps a key for gets O = 0 and lse = −∞, as attention gives it. Each partial comes from
 * `applyAttention` with `outputs: { logSumExp: true }` (softmax, no sink: a sink is one logit of the
 * whole row, so apply it to one part only, or to none and merge it as a part of its own).
 *
 * The merge is graph ops (elementwise, a few per partial), so it runs on the device in the same
 * program as the attention that produced the partials. What it is for: Star Attention (catalog paper
 * 99) attends each host's context block locally and merges the blocks' results for the query
 * tokens; HyperAttention (18) adds its sampled residual to the attention of its sorted diagonal
 * blocks through the same log-sum-exp merge; split prefill attends a new chunk to the cached keys
 * and to itself (causal) as two calls and merges them; and a key cache too large for one kernel
 * can be attended in parts.
 *
 * Returns the merged output `[batch, heads, queries, valueDim]` and log-sum-exp
 * `[batch, heads, queries]`, which can be merged again. Throws a `SpecError` without partials and
 * a `ShapeError` naming the partial whose shape differs.
 *
 * @example
 * ```ts
 * const query = input('q', [1, 4, 8, 64]);
 * const [cachedKeys, cachedValues] = ['cachedK', 'cachedV'].map((name) => input(name, [1, 4, 120, 64])) as [Node, Node];
 * const [chunkKeys, chunkValues] = ['chunkK', 'chunkV'].map((name) => input(name, [1, 4, 8, 64])) as [Node, Node];
 * const spec = attention({ heads: 4, headDim: 64, outputs: { logSumExp: true } });
 * const causalSpec = attention({ heads: 4, headDim: 64, mask: causal(), outputs: { logSumExp: true } });
 * const past = applyAttention(spec, { query, key: cachedKeys, value: cachedValues });
 * const local = applyAttention(causalSpec, { query, key: chunkKeys, value: chunkValues });
 * const { output } = mergeAttention([
 *   { output: past.output, logSumExp: past.logSumExp! },
 *   { output: local.output, logSumExp: local.logSumExp! },
 * ]);
 * ```
 */
export function mergeAttention(
  partials: readonly AttentionPartial[],
  options: MergeAttentionOptions = {},
): AttentionPartial {
  const name = options.name ?? 'mergeAttention';
  checkPartials(partials, name);
  if (partials.length === 1) return partials[0]!;
  return withLabel(name, () => {
    const sums = partials.map((partial) => partial.logSumExp);
    const largest = sums.slice(1).reduce((m, lse) => maximum(m, lse), sums[0]!);
    // Every part empty: m = −∞; shifting by 0 instead keeps exp(lse_i − m) = 0, never NaN.
    const shift = where(equal(largest, -Infinity), 0, largest);
    const scaled = sums.map((lse) => exp(sub(lse, shift)));
    const total = scaled.slice(1).reduce((sum, term) => add(sum, term), scaled[0]!);
    const empty = equal(total, 0);
    const logSumExp = where(empty, -Infinity, add(shift, log(where(empty, 1, total))));
    const denominator = where(empty, 1, total);
    const terms = partials.map((partial, index) => {
      const weight = div(scaled[index]!, denominator);
      return mul(reshape(weight, [...weight.shape, 1]), partial.output);
    });
    const output = terms.slice(1).reduce((sum, term) => add(sum, term), terms[0]!);
    return { output, logSumExp };
  });
}

function checkPartials(partials: readonly AttentionPartial[], name: string): void {
  if (partials.length === 0) {
    throw new SpecError(`${name}: no partial results to merge`, {
      block: name,
      expected: 'at least one { output, logSumExp }',
      actual: 0,
    });
  }
  const first = partials[0]!;
  const rowShape = first.output.shape.slice(0, -1);
  partials.forEach((partial, index) => {
    const fail = (tensor: string, expected: string, actual: string) => {
      throw new ShapeError(`${name}: partial ${index} ${tensor} has the wrong shape`, {
        block: name,
        tensor: `partials[${index}].${tensor}`,
        expected,
        actual,
      });
    };
    if (partial.output.shape.length !== 4 || !shapesEqual(partial.output.shape, first.output.shape))
      fail(
        'output',
        `${formatShape(first.output.shape)} ([batch, heads, queries, valueDim], as partial 0)`,
        formatShape(partial.output.shape),
      );
    if (!shapesEqual(partial.logSumExp.shape, rowShape))
      fail(
        'logSumExp',
        `${formatShape(rowShape)} (its output without the value dim)`,
        formatShape(partial.logSumExp.shape),
      );
    for (const [tensor, node] of [
      ['output', partial.output],
      ['logSumExp', partial.logSumExp],
    ] as const)
      if (node.dtype !== 'f32') fail(tensor, 'f32', node.dtype);
  });
}
