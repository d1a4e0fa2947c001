import {
  concat,
  constant,
  type Expr,
  full,
  mapElements,
  type Node,
  reshape,
  SpecError,
  sum,
  variable,
} from '@weft/ir';
import type { RopeAttrs } from './op/attention-attrs.js';
import { type Position, rotaryDims } from './spec/positions.js';
import { describeValue } from './spec/validate.js';

/**
 * The rotary settings of `landmarkRetrieval`'s `stingyRope` option: a 1-D `rope()`. Throws a
 * `SpecError` naming the option otherwise.
 */
export function stingyRopeAttrs(position: Position, headDim: number): RopeAttrs {
  if (position?.kind !== 'position' || position.name !== 'rope' || position.rope.dims !== 1)
    throw new SpecError('landmarkRetrieval: option "stingyRope" must be a 1-D rope()', {
      expected: 'rope()',
      actual: position?.name === 'rope' ? '2-D RoPE' : describeValue(position?.name ?? position),
    });
  const settings = position.rope;
  return {
    base: settings.base,
    rotaryDims: rotaryDims(settings, headDim),
    layout: settings.layout,
    grid: null,
  };
}

/** c, the query's block, K' = min(K, c) and c − K', the first of the latest K' blocks, from slot `$slot`. */
function segment(slot: Expr, kept: number, blockSize: number) {
  const current = slot.div(constant(blockSize + 1, 'i32'));
  const start = current.sub(current.min(constant(kept, 'i32')));
  return { current, start };
}

/**
 * Shift of each block's landmark for retrieval scoring under the stingy mapping (the reference's
 * `mem_pos`, epfml/landmark-attention `llama/llama_mem.py`): the latest K' = min(K, c) complete
 * blocks keep their own landmark position, every older block's landmark sits at the position of the
 * landmark just before them (block c − K' − 1). Positions count tokens (ℓ per block, no landmark
 * tokens in the stream): block b's landmark is at bℓ + ℓ, right after its last token. Returns
 * `[B, 1, blocks, 1]` i32, the position minus the block index g (the rotation adds row index g).
 */
export function stingyLandmarkShift(slot: Node, blocks: number, kept: number, blockSize: number): Node {
  const [batch] = slot.shape as [number];
  const g = variable('i2', 'i32');
  const { start } = segment(variable('$1', 'i32'), kept, blockSize);
  const placed = g.ge(start).select(g, start.sub(constant(1, 'i32')));
  const ell = constant(blockSize, 'i32');
  return mapElements(
    [full(0, [batch, 1, blocks, 1], 'i32'), reshape(slot, [batch, 1, 1, 1])],
    placed.mul(ell).add(ell).sub(g),
  );
}

/**
 * First position of each view block under the reference's "stingy" mapping: the retrieved blocks,
 * in increasing block order (rank r among the valid picks), fill a segment of K' + 1 blocks that
 * ends just before the current block c (K' = min(K, c)): an older block (g < c − K') goes to segment
 * block r, one of the latest K' to segment block r + 1, so that when the latest K' are retrieved
 * they keep their own positions. Token o of a block placed at segment block s sits at
 * (c − K' − 1 + s)ℓ + o; the current block keeps cℓ + o. `retrieval` `[B, H, 1, K]` (block indices,
 * by score), `slot` `[B, 1, 1, 1]` (the query's slot). Returns `[B, H·(K + 1), 1, 1]` i32 (view K
 * the current block; an invalid pick, g ≥ c, gets 0: it is masked out).
 */
export function stingyBlockPositions(
  retrieval: Node,
  slot: Node,
  sizes: { readonly heads: number; readonly kept: number; readonly blockSize: number },
): Node {
  const { heads, kept, blockSize } = sizes;
  const [batch] = retrieval.shape as [number];
  const position = reshape(slot, [batch, 1, 1]);
  // rank_v = #{u : g_u valid and g_u < g_v} (indices of one head are distinct).
  const pairs = mapElements(
    [
      full(0, [batch, heads, kept, kept], 'i32'),
      reshape(retrieval, [batch, heads, kept, 1]),
      reshape(retrieval, [batch, heads, 1, kept]),
      reshape(slot, [batch, 1, 1, 1]),
    ],
    variable('$2', 'i32')
      .lt(segment(variable('$3', 'i32'), kept, blockSize).current)
      .and(variable('$2', 'i32').lt(variable('$1', 'i32')))
      .select(constant(1), constant(0)),
  );
  const rank = sum(pairs, 3);
  const g = variable('$1', 'i32');
  const { current, start } = segment(variable('$2', 'i32'), kept, blockSize);
  const placed = start
    .sub(constant(1, 'i32'))
    .add(variable('$0').cast('i32'))
    .add(g.ge(start).select(constant(1, 'i32'), constant(0, 'i32')));
  const ell = constant(blockSize, 'i32');
  const retrieved = mapElements(
    [rank, reshape(retrieval, [batch, heads, kept]), position],
    g.lt(current).select(placed.mul(ell), constant(0, 'i32')),
  );
  const own = mapElements(
    [full(0, [batch, heads, 1], 'i32'), position],
    segment(variable('$1', 'i32'), kept, blockSize).current.mul(ell),
  );
  return reshape(concat([retrieved, own], 2), [batch, heads * (kept + 1), 1, 1]);
}
