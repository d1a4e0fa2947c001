import { SpecError } from '@weft/ir';
import { findZooEntry, ZOO } from '../zoo.js';
import type { ZooEntry } from '../zoo-entry.js';

/**
 * The zoo entries `filters` select, in zoo order: a filter selects the entry whose id or mechanism
 * it names exactly, or else every entry whose id contains it. No filters select every entry.
 * Throws a `SpecError` listing the ids when a filter selects nothing.
 */
export function selectZooEntries(filters: readonly string[]): readonly ZooEntry[] {
  if (filters.length === 0) return ZOO;
  const selected = new Set<ZooEntry>();
  for (const filter of filters) {
    const exact = findZooEntry(filter);
    const matches =
      exact === undefined ? ZOO.filter((entry) => entry.id.includes(filter.toLowerCase())) : [exact];
    if (matches.length === 0) {
      throw new SpecError('pnpm zoo: --only names no zoo entry', {
        expected: ZOO.map((entry) => entry.id).join(', '),
        actual: filter,
      });
    }
    for (const entry of matches) selected.add(entry);
  }
  return ZOO.filter((entry) => selected.has(entry));
}
