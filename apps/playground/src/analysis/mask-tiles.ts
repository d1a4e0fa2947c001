import type { Mask } from '@weft/attention';
import type { MaskTiles } from './analysis-result.js';

/** Queries and keys per tile of the map. */
export const MASK_TILE = 16;

/**
 * Classifies every (query tile, key tile) of `mask` over `queries × keys` with the mask's own
 * block rule (`Mask.blockSparsity`, what the fused kernel uses to skip empty tiles and drop the
 * predicate on full ones), at batch 0 and head 0. `read` gives the values of tensors the mask reads;
 * without it such masks answer `partial`.
 */
export function maskTiles(
  mask: Mask,
  queries: number,
  keys: number,
  read?: (tensor: string, index: readonly number[]) => number,
): MaskTiles {
  const sizes = { query: MASK_TILE, key: MASK_TILE };
  const lengths = { queries, keys };
  const where = read === undefined ? {} : { read };
  const tiles = Array.from({ length: Math.ceil(queries / MASK_TILE) }, (_, queryTile) =>
    Array.from({ length: Math.ceil(keys / MASK_TILE) }, (_, keyTile) =>
      mask.blockSparsity(queryTile, keyTile, sizes, lengths, where),
    ),
  );
  return { description: mask.description, tile: MASK_TILE, tiles };
}
