/**
 * Joins a block path and a part name into a parameter or block name: `layers.3` + `attn` →
 * `layers.3.attn`. An empty path gives the part alone.
 */
export function childPath(path: string, part: string): string {
  return path === '' ? part : `${path}.${part}`;
}
