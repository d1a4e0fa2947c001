// `pnpm run docs` runs this before typedoc: writes the catalog and cookbook pages into
// `docs/generated/` (gitignored), from `docs/catalog/`, `@weft/zoo` and the error-budget guide.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as attentionApi from '@weft/attention';
import { ZOO } from '@weft/zoo';
import { catalogPages, type GeneratedPage } from './catalog-pages.js';
import { readCatalog } from './catalog-source.js';
import { type CookbookFacts, cookbookPages } from './cookbook-pages.js';
import { entryTypeScriptSpec } from './entry-typescript-spec.js';
import {
  entryDocText,
  entrySpecExample,
  readEntrySource,
  recordedBudgetRows,
  softwareKernelCount,
} from './zoo-facts.js';

const repository = fileURLToPath(new URL('../../../../', import.meta.url));
const entriesDirectory = new URL('../../../../packages/zoo/src/entries/', import.meta.url);

/** Every generated page, from the repository's catalog, zoo and error-budget guide. */
export function generateDocPages(): GeneratedPage[] {
  const catalog = readCatalog(join(repository, 'docs/catalog'));
  const budget = recordedBudgetRows(readFileSync(join(repository, 'docs/guides/error-budget.md'), 'utf8'));
  const attentionExports = new Set(Object.keys(attentionApi));
  const facts: CookbookFacts[] = ZOO.map((entry) => {
    const source = readEntrySource(entriesDirectory, entry.id);
    const specExample = entrySpecExample(source);
    return {
      entry,
      docText: entryDocText(source),
      specExample,
      typescriptSpec: entryTypeScriptSpec(specExample, attentionExports),
      kernels: softwareKernelCount(entry),
      budget: budget.get(entry.id) ?? [],
    };
  });
  return [...catalogPages(catalog, ZOO), ...cookbookPages(catalog, facts)];
}

/** Writes the pages below `directory`, replacing what an earlier run left there. */
export function writeDocPages(directory: string, pages: readonly GeneratedPage[]): void {
  rmSync(directory, { recursive: true, force: true });
  for (const page of pages) {
    const path = join(directory, page.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, page.text);
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const pages = generateDocPages();
  writeDocPages(join(repository, 'docs/generated'), pages);
  console.log(`docs/generated: ${pages.length} pages`);
}
