import type { MaskTiles } from '../analysis/analysis-result.js';
import { svg } from './svg.js';

const CELL = 22;

/**
 * The mask's block-sparsity map: one square per (query tile, key tile), queries down and keys
 * across, coloured by class (empty: skipped; partial: the predicate is evaluated per pair; full:
 * every pair kept without evaluating it), with the count of each class.
 */
export function maskMap(map: MaskTiles): HTMLElement {
  const figure = document.createElement('figure');
  figure.className = 'mask-map';
  const rows = map.tiles.length;
  const columns = map.tiles[0]?.length ?? 0;
  const grid = svg('svg', {
    width: columns * CELL,
    height: rows * CELL,
    role: 'img',
    'aria-label': 'mask block map',
  });
  const counts = { empty: 0, partial: 0, full: 0 };
  map.tiles.forEach((row, queryTile) => {
    row.forEach((tileClass, keyTile) => {
      counts[tileClass]++;
      const cell = svg('rect', {
        x: keyTile * CELL,
        y: queryTile * CELL,
        width: CELL - 2,
        height: CELL - 2,
        class: `tile ${tileClass}`,
        'data-class': tileClass,
      });
      cell.append(
        svg('title', {}, `queries ${queryTile * map.tile}…, keys ${keyTile * map.tile}…: ${tileClass}`),
      );
      grid.append(cell);
    });
  });
  const caption = document.createElement('figcaption');
  caption.textContent = `${map.description}: ${map.tile}×${map.tile} tiles — ${counts.full} full, ${counts.partial} partial, ${counts.empty} empty (skipped)`;
  figure.append(grid, caption);
  return figure;
}
