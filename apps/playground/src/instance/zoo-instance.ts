import { SpecError } from '@weft/ir';
import { findZooEntry, ZOO } from '@weft/zoo';
import type { PlaygroundInstance } from './playground-instance.js';

/**
 * Builds the zoo entry `id` (`@weft/zoo`) with its own seeded inputs and its stated tolerance.
 *
 * @throws SpecError naming the unknown id and listing the known ones.
 */
export function zooInstance(id: string): PlaygroundInstance {
  const entry = findZooEntry(id);
  if (entry === undefined) {
    throw new SpecError(`the zoo has no entry "${id}"`, {
      expected: ZOO.map((known) => known.id).join(', '),
      actual: id,
    });
  }
  const { graph, inputs, params, dims } = entry.build();
  return {
    title: `zoo entry ${entry.id}: ${entry.description}`,
    graph,
    inputs,
    params,
    dims,
    tolerance: entry.tolerance,
  };
}
