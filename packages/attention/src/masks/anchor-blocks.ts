import { constant, type Expr } from '@weft/ir';
import { BLOCK_BOUNDS as B, ATTENTION_INDICES as I } from '../spec/attention-variables.js';
import { type Mask, makeMask } from './mask.js';
import { type AlignmentOptions, alignment, i32Size, offset } from './mask-sizes.js';

/**
 * Star Attention's phase 1 (Acharya et al., catalog #99): the context split into blocks of `size`,
 * each block attending causally to itself and to the first, anchor, block — query position p keeps
 * key k when k ≤ p and (k < size or ⌊k/size⌋ = ⌊p/size⌋). One host per block runs exactly this on
 * `[anchor; block]` and discards the anchor's KV, so in one program it is one mask, every position
 * keeping its global RoPE position. The kernel skips the tiles between the anchor and a query's block.
 *
 * @example
 * ```ts
 * // Blocks of 4096 tokens, each with the first block as its anchor.
 * attention({ heads: 8, headDim: 64, positions: rope(), mask: anchorBlocks(4096) });
 * ```
 */
export function anchorBlocks(requested: number, options: AlignmentOptions = {}): Mask {
  const size = i32Size(requested, 'anchorBlocks', 'size');
  const align = alignment(options, 'anchorBlocks');
  const o = offset(align);
  const s = constant(size, 'i32');
  const block = (index: Expr) => index.div(s);
  const position = I.q.add(o);
  const [firstQuery, lastQuery] = [B.queryStart.add(o), B.queryEnd.add(o)];
  const sameBlockImpossible = block(B.keyEnd)
    .lt(block(firstQuery))
    .or(block(B.keyStart).gt(block(lastQuery)));
  const oneBlock = block(B.keyStart)
    .eq(block(B.keyEnd))
    .and(block(firstQuery).eq(block(lastQuery)));
  return makeMask(
    `anchorBlocks(${size}, ${align})`,
    I.k.le(position).and(I.k.lt(s).or(block(I.k).eq(block(position)))),
    {
      empty: B.keyStart.gt(lastQuery).or(B.keyStart.ge(s).and(sameBlockImpossible)),
      full: B.keyEnd
        .le(firstQuery)
        .and(B.keyEnd.lt(s).or(oneBlock.and(block(B.keyStart).eq(block(firstQuery))))),
    },
  );
}
