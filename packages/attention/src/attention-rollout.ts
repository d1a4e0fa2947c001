import {
  add,
  type Dim,
  div,
  isSymbolic,
  literal,
  matmul,
  mean,
  mul,
  type Node,
  ShapeError,
  sum,
} from '@weft/ir';

/** Options of {@link attentionRollout}. */
export interface AttentionRolloutOptions {
  /** Weight of the residual identity: Ã = (1 − r)·Ā + r·I (Abnar & Zuidema: 0.5). */
  readonly residual?: number;
}

/**
 * Attention rollout (Abnar & Zuidema 2020) over per-layer attention maps, as graph ops: each map
 * `[B, H, N, N]` (an attention's `probeRows` readout over every row) is averaged over heads,
 * Ā = mean_h A; mixed with the residual, Ã = (1 − r)·Ā + r·I; its rows renormalized; and the layers
 * multiplied, R = Ã⁽ᴸ⁾ ⋯ Ã⁽¹⁾ `[B, N, N]` (`maps[0]` is layer 1). Attention flow, the paper's
 * max-flow variant, is a graph algorithm and not provided. Needs a static N (the identity).
 *
 * @example
 * ```ts
 * // One [batch, heads, N, N] probability map per layer (e.g. `outputs: { probeRows: [...all rows] }`).
 * const maps = [0, 1, 2].map((layer) => input(`layers.${layer}.probabilities`, [1, 4, 16, 16]));
 * const rollout = attentionRollout(maps); // [1, 16, 16]: how much each token draws on each input token
 * ```
 */
export function attentionRollout(maps: readonly Node[], options: AttentionRolloutOptions = {}): Node {
  const residual = options.residual ?? 0.5;
  if (maps.length === 0)
    throw new ShapeError('attention rollout needs at least one layer', {
      expected: 'a map per layer',
      actual: 0,
    });
  if (!(residual >= 0 && residual <= 1))
    throw new ShapeError('attention rollout: residual must lie in [0, 1]', {
      expected: '[0, 1]',
      actual: residual,
    });
  const first = maps[0]!;
  const size = first.shape[2]!;
  for (const [layer, map] of maps.entries()) checkMap(map, layer, first.shape, size);
  const n = size as number;
  const identity = literal(
    Array.from({ length: n * n }, (_, flat) => (flat % n === Math.floor(flat / n) ? 1 : 0)),
    [n, n],
    'f32',
  );
  const layers = maps.map((map) => {
    const mixed = add(mul(mean(map, 1), 1 - residual), mul(identity, residual));
    return div(mixed, sum(mixed, -1, { keepDims: true }));
  });
  return layers.slice(1).reduce((rollout, layer) => matmul(layer, rollout), layers[0]!);
}

function checkMap(map: Node, layer: number, shape: readonly Dim[], size: Dim): void {
  const expected = `[${shape.map(String).join(', ')}] with N × N maps of a static N`;
  if (
    map.shape.length !== 4 ||
    isSymbolic(size) ||
    map.shape[3] !== size ||
    map.shape.some((dim, axis) => dim !== shape[axis])
  )
    throw new ShapeError(`attention rollout: the map of layer ${layer + 1} has the wrong shape`, {
      tensor: `maps[${layer}]`,
      expected,
      actual: `[${map.shape.map(String).join(', ')}]`,
    });
}
