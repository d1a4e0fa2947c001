import { SpecError } from '@weft/ir';
import { findZooEntry, ZOO } from '../zoo.js';
import type { ZooEntry } from '../zoo-entry.js';
import { closestNames, wrapList } from './closest-names.js';

/**
 * The zoo entries `filters` select, in zoo order: a filter selects the entry whose id or mechanism
 * it names exactly, or else every entry whose id contains it. No filters select every entry.
 * Throws a `SpecError` naming `command` (as the user typed it), the filter, the closest ids and
 * every id, wrapped, when a filter selects nothing.
 */
export function selectZooEntries(filters: readonly string[], command = 'pnpm zoo'): readonly ZooEntry[] {
  if (filters.length === 0) return ZOO;
  const selected = new Set<ZooEntry>();
  for (const filter of filters) {
    const exact = findZooEntry(filter);
    const matches =
      exact === undefined ? ZOO.filter((entry) => entry.id.includes(filter.toLowerCase())) : [exact];
    if (matches.length === 0) throw new SpecError(noEntryMessage(command, filter));
    for (const entry of matches) selected.add(entry);
  }
  return ZOO.filter((entry) => selected.has(entry));
}

function noEntryMessage(command: string, filter: string): string {
  const ids = ZOO.map((entry) => entry.id);
  // A mechanism name suggests its entry's id (`LayerNrom` → "layer-norm").
  const byMechanism = new Map(ZOO.map((entry) => [entry.mechanism, entry.id]));
  const closest = [
    ...new Set(
      closestNames(filter, [...ids, ...byMechanism.keys()]).map((name) => byMechanism.get(name) ?? name),
    ),
  ];
  const hint = closest.length === 0 ? '' : `; did you mean ${closest.map((id) => `"${id}"`).join(', ')}?`;
  return `${command}: --only "${filter}" names no zoo entry${hint}\nthe ${ids.length} zoo ids:\n${wrapList(ids)}`;
}
