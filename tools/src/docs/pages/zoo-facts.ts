// Facts about a zoo entry that its `ZooEntry` value does not carry: the spec example of its TSDoc,
// the budget rows recorded in the error-budget guide, and its kernel count on the software profile.
import { readFileSync } from 'node:fs';
import { generateGraphKernels } from '@weft/runtime';
import { ZOO_EXTENSIONS, type ZooEntry } from '@weft/zoo';
import { REPLAY_PROFILES } from '../../replay/corpus.js';

/** One row of the "Every row" tables of `docs/guides/error-budget.md`. */
export interface BudgetRow {
  readonly inputClass: string;
  readonly kernelError: string;
  readonly cpuF32Error: string;
  readonly ratio: string;
}

/** Budget rows by entry id, as the error-budget guide records them (measured with `pnpm zoo --budget`). */
export function recordedBudgetRows(guide: string): ReadonlyMap<string, readonly BudgetRow[]> {
  const rows = new Map<string, BudgetRow[]>();
  for (const line of guide.split('\n')) {
    const match = /^\| `([a-z0-9-]+)` \| (\w+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|/.exec(line);
    if (match === null) continue;
    const [, id, inputClass, kernelError, cpuF32Error, ratio] = match;
    const list = rows.get(id!) ?? [];
    list.push({
      inputClass: inputClass!,
      kernelError: kernelError!.trim(),
      cpuF32Error: cpuF32Error!.trim(),
      ratio: ratio!.trim(),
    });
    rows.set(id!, list);
  }
  return rows;
}

/**
 * The TypeScript example of an entry's TSDoc (`packages/zoo/src/entries/<id>.ts`): the spec in a few
 * lines of the public API, or `undefined` where the comment has none.
 */
export function entrySpecExample(source: string): string | undefined {
  const match = /@example\s*\n\s*\*\s*```ts\n([\s\S]*?)\n\s*\*\s*```/.exec(source);
  if (match === null) return undefined;
  return match[1]!
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, ''))
    .join('\n');
}

/** The prose of an entry's TSDoc (`packages/zoo/src/entries/<id>.ts`), before its `@example`. */
export function entryDocText(source: string): string {
  const comment = /\/\*\*([\s\S]*?)\*\/\s*export const/.exec(source)?.[1] ?? '';
  return comment
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, ''))
    .join('\n')
    .split('@example')[0]!
    .trim();
}

/** The source of a zoo entry's file, `packages/zoo/src/entries/<id>.ts`. */
export function readEntrySource(entriesDirectory: URL, id: string): string {
  return readFileSync(new URL(`${id}.ts`, entriesDirectory), 'utf8');
}

/** Kernels in the fused plan of the entry's graph, generated for the software (SwiftShader) profile. */
export function softwareKernelCount(entry: ZooEntry): number {
  const { graph } = entry.build();
  return generateGraphKernels(graph, REPLAY_PROFILES.software!, { extensions: ZOO_EXTENSIONS }).plan.kernels
    .length;
}

/** The playground's URL hash for a document: `#spec=` and base64url of its UTF-8 text (`spec-hash.ts`). */
export function playgroundHash(text: string): string {
  return `#spec=${Buffer.from(text, 'utf8').toString('base64url')}`;
}

/** The document the playground's gallery writes to open a zoo entry. */
export function zooDocument(id: string): string {
  return `{ "zoo": ${JSON.stringify(id)} }\n`;
}
