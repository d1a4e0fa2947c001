import type { ZooEntry } from '@weft/zoo';

/** A simplified stand-in for a mechanism, named as such by its id or description. */
export function isStandIn(entry: ZooEntry): boolean {
  return /stand-in/i.test(entry.id) || /^stand-in\b/i.test(entry.description);
}
