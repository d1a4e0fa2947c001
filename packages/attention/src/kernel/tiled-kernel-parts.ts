import type { DeviceProfile, KernelContext, RenderedExprs } from '@weft/wgsl';
import type { AttentionAttrs } from '../op/attention-attrs.js';
import type { AttentionWrites } from './attention-writes.js';
import type { AttentionRender } from './captured-reads.js';
import type { QueryScoreFunctions } from './query-score-code.js';
import type { OnlineReadouts } from './readout-code.js';
import type { TileFunctions } from './tile-code.js';
import { indent, type KernelFunctions } from './wgsl-functions.js';

/** What the tiled kernel's two bodies (several rows per invocation, one row) share. */
export interface TiledKernelParts {
  readonly context: KernelContext;
  readonly profile: DeviceProfile;
  readonly attrs: AttentionAttrs;
  /** What the kernel writes: output, log-sum-exp, row max, readouts. */
  readonly writes: AttentionWrites;
  /** The module's helpers. */
  readonly functions: KernelFunctions;
  /** Renders normalizer parameters. */
  readonly render: AttentionRender;
  /** Calls of the key-tile helpers. */
  readonly tiles: TileFunctions;
  /** Calls of `load_query_row` and `score_key`. */
  readonly queryScore: QueryScoreFunctions;
  /** The rendered block rule (empty, full), if any. */
  readonly blockRule: RenderedExprs | undefined;
  /** Whether the non-empty key tiles are listed before the loop (see `TileContext.listed`). */
  readonly listed: boolean;
  /** Statements listing the tiles (`listed_tiles`) before the first pass; empty unless listed. */
  readonly listTiles: readonly string[];
  readonly keyBlock: number;
  /** vec4s per staged key row. */
  readonly keyVectors: number;
  /** vec4s per staged value row. */
  readonly valueVectors: number;
  /** Value head dim. */
  readonly valueDim: number;
  /** Invocations per workgroup. */
  readonly invocations: number;
  /** The readouts folded into the online pass, if the kernel writes any. */
  readonly readouts: OnlineReadouts | undefined;
  /** The subgroup size when the lanes read staged rows together (see `stagedRowReads`). */
  readonly sharedReadLanes?: number | undefined;
}

/**
 * The loop over key tiles: each staged in workgroup memory (K rows, and V rows when `withValues`),
 * then `body`; `prelude` opens each iteration. Empty tiles are skipped when `skip`.
 */
export type KeyPassCode = (
  withValues: boolean,
  body: readonly string[],
  skip?: boolean,
  prelude?: string[],
) => string[];

/**
 * The tiled kernel's loop over key tiles (see {@link KeyPassCode}).
 * (The one-row kernel scores nothing in a skipped tile: no `continue` needed.)
 * (A listed kernel walks tile_list, `listed_tiles` entries counted once before the first pass:
 * written before list_tiles' barrier and never again, each entry is a plain read, no barrier, and
 * never empty, so nothing is skipped.)
 */
export function keyPassCode(
  parts: Pick<TiledKernelParts, 'tiles' | 'blockRule' | 'listed' | 'sharedReadLanes'>,
): KeyPassCode {
  const { tiles, blockRule, listed } = parts;
  // Lanes that read rows together need the tile uniform to the analysis too (a plain read of
  // workgroup memory is not): a uniform load, at the cost of a barrier per tile.
  const entry =
    parts.sharedReadLanes === undefined ? 'tile_list[listed]' : 'workgroupUniformLoad(&tile_list[listed])';
  return (withValues, body, skip = true, prelude = []) => [
    ...(listed
      ? ['for (var listed = 0u; listed < listed_tiles; listed++) {', `  let entry = ${entry};`]
      : ['for (var tile_index = 0; tile_index < key_tiles; tile_index++) {']),
    ...indent(prelude, 1),
    `  let tile = ${withValues ? tiles.loadTile() : tiles.loadKeyTile()};`,
    ...(blockRule === undefined || !skip || listed
      ? []
      : ['  if (tile.kind == 0u) {', '    continue;', '  }']),
    ...indent(body, 1),
    '}',
  ];
}
