import { add, type Dim, div, isSymbolic, type Node, ShapeError, slice, sum } from '@weft/ir';

/**
 * Attention Sorting's document scores (Peysakhovich & Lerer 2023, catalog paper 45), as graph ops:
 * score(D) = Σ_{t∈D} mean_{l,h} A^{l,h}_{last,t}, the attention the last query row pays to each
 * document, averaged over every head of every layer. Each layer's input is its attention's
 * `segmentMass` readout `[B, H, Nq, S]` with one segment per document (and usually one more for the
 * question): its last row is exactly Σ_{t∈D} p_{last,t}, written by the kernel that computes O.
 * Layers may have different head counts (the mean runs over all (layer, head) pairs). Returns
 * `[B, S]`. The reordering itself (documents ascending by score, the most attended last, then decode
 * again) is the host loop of {@link attentionSortingOrder}.
 *
 * @example
 * ```ts
 * // Three documents of 6 tokens and a question of 6: one segment each.
 * const spec = attention({ heads: 4, headDim: 16, mask: causal(), outputs: { segmentMass: [0, 6, 12, 18] } });
 * const layers = [0, 1].map((layer) => {
 *   const [query, key, value] = ['q', 'k', 'v'].map((name) => input(`${name}${layer}`, [1, 4, 24, 16]));
 *   return applyAttention(spec, { query: query!, key: key!, value: value! }).segmentMass!;
 * });
 * const scores = attentionSortingScores(layers); // [1, 4]; the first three are the documents'
 * ```
 */
export function attentionSortingScores(segmentMasses: readonly Node[]): Node {
  if (segmentMasses.length === 0)
    throw new ShapeError('attention sorting needs the segment mass of at least one layer', {
      expected: 'a [batch, heads, queries, segments] readout per layer',
      actual: 0,
    });
  const first = segmentMasses[0]!;
  let heads = 0;
  const lastRows = segmentMasses.map((mass, layer) => {
    checkMass(mass, layer, first);
    const queries = mass.shape[2] as number;
    heads += mass.shape[1] as number;
    // [B, H, 1, S] → Σ_h [B, S]
    return sum(slice(mass, [0, 0, queries - 1, 0], [], []), [1, 2]);
  });
  return div(
    lastRows.slice(1).reduce((total, layer) => add(total, layer), lastRows[0]!),
    heads,
  );
}

/**
 * The order Attention Sorting puts documents in: indices of `scores` ascending, so that the most
 * attended document comes last, next to the question (ties keep their current order). Apply it,
 * decode again, and repeat for the chosen number of rounds.
 *
 * @example
 * ```ts
 * attentionSortingOrder([0.4, 0.1, 0.3]); // [1, 2, 0]
 * ```
 */
export function attentionSortingOrder(scores: ArrayLike<number>): number[] {
  return Array.from({ length: scores.length }, (_, index) => index).sort(
    (a, b) => scores[a]! - scores[b]! || a - b,
  );
}

function checkMass(mass: Node, layer: number, first: Node): void {
  const [batch, heads, queries, segments] = mass.shape as readonly (Dim | undefined)[];
  const sameBatch = batch === first.shape[0] && segments === first.shape[3];
  if (
    mass.shape.length !== 4 ||
    !sameBatch ||
    heads === undefined ||
    isSymbolic(heads) ||
    isSymbolic(queries!)
  )
    throw new ShapeError(`attention sorting: the segment mass of layer ${layer + 1} has the wrong shape`, {
      tensor: `segmentMasses[${layer}]`,
      expected: `[${String(first.shape[0])}, heads, queries, ${String(first.shape[3])}] with static heads and queries`,
      actual: `[${mass.shape.map(String).join(', ')}]`,
    });
}
