import { fileURLToPath } from 'node:url';
import { findZooEntry, ZOO } from '@weft/zoo';
import { describe, expect, it } from 'vitest';
import { catalogPages } from './catalog-pages.js';
import { parseCatalogFile, readCatalog } from './catalog-source.js';
import { type CookbookFacts, cookbookIndexPage, cookbookPage } from './cookbook-pages.js';
import { entryTypeScriptSpec } from './entry-typescript-spec.js';
import {
  entryDocText,
  entrySpecExample,
  playgroundHash,
  readEntrySource,
  recordedBudgetRows,
  softwareKernelCount,
  zooDocument,
} from './zoo-facts.js';

const catalog = readCatalog(fileURLToPath(new URL('../../../../docs/catalog/', import.meta.url)));
const entries = new URL('../../../../packages/zoo/src/entries/', import.meta.url);

function facts(id: string, kernels: number): CookbookFacts {
  const source = readEntrySource(entries, id);
  return {
    entry: findZooEntry(id)!,
    docText: entryDocText(source),
    specExample: entrySpecExample(source),
    typescriptSpec: entryTypeScriptSpec(entrySpecExample(source), new Set(['attention', 'causal'])),
    kernels,
    budget: [{ inputClass: 'normal', kernelError: '1.10e-07', cpuF32Error: '9.19e-08', ratio: '0.92\\*' }],
  };
}

describe('the catalog source', () => {
  it('splits a file into paper sections, a preamble with its quick index, and a summary', () => {
    const text = [
      '# Catalog — papers 1 to 4',
      '',
      'Notation: `s_ij = q_i·k_j/√d`.',
      '',
      '| id | short name | category | priority |',
      '|---|---|---|---|',
      '| 2 | Two | ATTN-KERNEL | P1 |',
      '',
      '---',
      '',
      '## 2. Paper two (A. Author)',
      '- **Forward:** `o = softmax(s) v`.',
      '',
      '## 3. Three (2024) and 4. Four (2023)',
      '- **Category:** NORM (rest OUT-OF-SCOPE)',
      '- **Priority:** P1 (SAIN)',
      '',
      '---',
      '',
      '## Summary: what papers 1–4 need',
      '1. fused softmax',
    ].join('\n');
    const { papers, notes, index } = parseCatalogFile('papers-x.md', text);
    expect(papers.map((paper) => [paper.ids, paper.heading, paper.body])).toEqual([
      [[2], '2. Paper two (A. Author)', '- **Forward:** `o = softmax(s) v`.'],
      [
        [3, 4],
        '3. Three (2024) and 4. Four (2023)',
        '- **Category:** NORM (rest OUT-OF-SCOPE)\n- **Priority:** P1 (SAIN)',
      ],
    ]);
    // Papers missing from the quick index get a row from their section's Category and Priority.
    expect(index).toEqual([
      { id: 2, shortName: 'Two', category: 'ATTN-KERNEL', priority: 'P1' },
      { id: 3, shortName: 'Three (2024) and 4. Four (2023)', category: 'NORM', priority: 'P1' },
      { id: 4, shortName: 'Three (2024) and 4. Four (2023)', category: 'NORM', priority: 'P1' },
    ]);
    expect(notes.title).toBe('Catalog — papers 1 to 4');
    expect(notes.summary).toBe('## Summary: what papers 1–4 need\n1. fused softmax');
  });

  it('reads every paper of the shipped catalog (papers 3 and 4 share a section)', () => {
    expect(catalog.papers.flatMap((paper) => paper.ids).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 119 }, (_, index) => index + 1),
    );
    expect(catalog.index.map((row) => row.id).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 119 }, (_, index) => index + 1),
    );
  });

  it('renders a page per paper, linking the zoo entries that implement it', () => {
    const pages = catalogPages(catalog, ZOO);
    const paper54 = pages.find((page) => page.path === 'catalog/paper-054.md')!.text;
    expect(paper54).toContain('[`multi-query-attention`](../cookbook/multi-query-attention.md)');
    const paper25 = pages.find((page) => page.path === 'catalog/paper-025.md')!.text;
    expect(paper25).toContain('[`attention-sink-calibration`](../cookbook/attention-sink-calibration.md)');
    // Recurrent memory (#93) publishes no code and the catalog marks its equations to verify: its
    // entry is a stand-in, listed as such and not counted as implementing the paper.
    const paper93 = pages.find((page) => page.path === 'catalog/paper-093.md')!.text;
    expect(paper93).toContain('No zoo entry implements this paper');
    expect(paper93).toContain('Simplified stand-ins: [`recurrent-memory-stand-in`]');
  });
});

describe('zoo facts', () => {
  it('reads the rows of the error-budget guide', () => {
    const rows = recordedBudgetRows('| `layer-norm` | normal | 1.34e-07 | 1.61e-07 | 0.84 |  |\n| x | y |');
    expect(rows.get('layer-norm')).toEqual([
      { inputClass: 'normal', kernelError: '1.34e-07', cpuF32Error: '1.61e-07', ratio: '0.84' },
    ]);
  });

  it("takes an entry's prose and example from its TSDoc", () => {
    const source = readEntrySource(entries, 'layer-norm');
    expect(entryDocText(source)).toMatch(/^LayerNorm: standardize over the last axis/);
    expect(entrySpecExample(source)).toBe("const y = layerNorm(input('x', [4, 37, 96]));");
  });

  it('writes the playground hash of the gallery document (base64url of its text)', () => {
    const hash = playgroundHash(zooDocument('rnope-swa'));
    expect(hash).toMatch(/^#spec=[A-Za-z0-9_-]+$/);
    expect(Buffer.from(hash.slice('#spec='.length), 'base64url').toString('utf8')).toBe(
      '{ "zoo": "rnope-swa" }\n',
    );
  });

  it('counts the kernels of an entry on the software profile', () => {
    expect(softwareKernelCount(findZooEntry('layer-norm')!)).toBe(1);
  });
});

describe('the cookbook', () => {
  it("gives an entry's paper math, spec, kernels, error and playground link", () => {
    const page = cookbookPage(catalog, facts('multi-query-attention', 1));
    expect(page).toContain('[54. MQA');
    expect(page).toContain('(../catalog/paper-054.md)');
    expect(page).toContain('| kernels | 1 ');
    expect(page).toContain('normal 1.10e-07 (CPU f32 9.19e-08, ratio 0.92*)');
    expect(page).toContain(`(../../playground.html${playgroundHash(zooDocument('multi-query-attention'))})`);
    expect(page).toContain('```ts fragment\nconst spec = attention(');
    expect(page).toContain('[Open its spec as TypeScript in the playground](../../playground.html#spec=');
    expect(page).toContain("The paper's math (catalog 54)");
  });

  it('groups the index by catalog group, names stand-ins and lists the papers no entry implements', () => {
    const index = cookbookIndexPage(catalog, [facts('layer-norm', 1), facts('retention-decay-stand-in', 3)]);
    expect(index).toContain('## G3 — Normalization layers');
    expect(index).toContain('## G4 — Linear attention and recurrent forms');
    expect(index).toMatch(
      /\[`retention-decay-stand-in`\]\(retention-decay-stand-in\.md\) \| \*\*Stand-in\.\*\*/,
    );
    expect(index).toContain('| 25 | [');
    expect(index).not.toMatch(/^\| 34 \| \[/m);
  });
});
