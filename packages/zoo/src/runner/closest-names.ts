import { editDistance } from '@weft/ir';
/**
 * The names nearest to `given` (edit distance, case ignored), closest first, at most `count`:
 * those that it, or one of their dash-separated parts, is near enough to be a typo of (a third of
 * its length, at least 2 edits), or that contain it or are contained in it.
 *
 * @example
 * ```ts
 * closestNames('LayerNrom', ['layer-norm', 'rms-norm', 'softmax']); // ['layer-norm']
 * ```
 */
export function closestNames(given: string, names: readonly string[], count = 3): string[] {
  const wanted = given.toLowerCase();
  const limit = Math.max(2, Math.floor(wanted.length / 3));
  const distance = (name: string) =>
    Math.min(...[name, ...name.split('-')].map((part) => editDistance(wanted, part.toLowerCase())));
  return names
    .map((name) => ({ name, distance: distance(name) }))
    .filter(
      ({ name, distance }) =>
        distance <= limit || name.toLowerCase().includes(wanted) || wanted.includes(name.toLowerCase()),
    )
    .sort((a, b) => a.distance - b.distance)
    .slice(0, count)
    .map(({ name }) => name);
}

/** `items` joined by ", " into lines of at most `width` characters, each indented by `indent`. */
export function wrapList(items: readonly string[], width = 100, indent = '  '): string {
  const lines: string[] = [];
  let line = '';
  for (const [index, item] of items.entries()) {
    const piece = index === items.length - 1 ? item : `${item},`;
    if (line !== '' && indent.length + line.length + 1 + piece.length > width) {
      lines.push(`${indent}${line}`);
      line = piece;
    } else line = line === '' ? piece : `${line} ${piece}`;
  }
  if (line !== '') lines.push(`${indent}${line}`);
  return lines.join('\n');
}
