import { ATTENTION_CATALOG } from '@weft/attention';
import { LINEAR_ATTENTION_CATALOG } from '@weft/attention/linear';
import { SpecError } from '@weft/ir';
import { NORM_CATALOG } from '@weft/norms';
import type { ZooEntry } from './zoo-entry.js';

/** What a zoo entry adds to a package's catalog entry: its id, paper, description and tolerance. */
export type ZooEntryFacts = Omit<ZooEntry, 'build'>;

/**
 * A zoo entry that builds `@weft/norms`' catalog instance of `facts.mechanism` (the spec lives with
 * the layer's builder; the zoo adds the paper and the tolerance). Throws a `SpecError` when the
 * norms catalog has no such mechanism.
 */
export function normZooEntry(facts: ZooEntryFacts): ZooEntry {
  const source = NORM_CATALOG.find((entry) => entry.mechanism === facts.mechanism);
  if (source === undefined) throw missingMechanism('@weft/norms', facts, NORM_CATALOG);
  return {
    ...facts,
    build: () => {
      const { graph, inputs, params } = source.build();
      return { graph, inputs, params, dims: {} };
    },
  };
}

/**
 * A zoo entry that builds `@weft/attention`'s catalog instance of `facts.mechanism`. Throws a
 * `SpecError` when the attention catalog has no such mechanism.
 */
export function attentionZooEntry(facts: ZooEntryFacts): ZooEntry {
  const source = ATTENTION_CATALOG.find((entry) => entry.mechanism === facts.mechanism);
  if (source === undefined) throw missingMechanism('@weft/attention', facts, ATTENTION_CATALOG);
  return { ...facts, build: () => source.build() };
}

/**
 * A zoo entry that builds `@weft/attention/linear`'s catalog instance of `facts.mechanism`. Throws a
 * `SpecError` when that catalog has no such mechanism.
 */
export function linearAttentionZooEntry(facts: ZooEntryFacts): ZooEntry {
  const source = LINEAR_ATTENTION_CATALOG.find((entry) => entry.mechanism === facts.mechanism);
  if (source === undefined) throw missingMechanism('@weft/attention/linear', facts, LINEAR_ATTENTION_CATALOG);
  return { ...facts, build: () => source.build() };
}

function missingMechanism(
  packageName: string,
  facts: ZooEntryFacts,
  catalog: readonly { readonly mechanism: string }[],
): SpecError {
  return new SpecError(`zoo entry "${facts.id}": ${packageName}'s catalog has no such mechanism`, {
    block: facts.id,
    expected: catalog.map((entry) => entry.mechanism).join(', '),
    actual: facts.mechanism,
  });
}
