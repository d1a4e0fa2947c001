// The generated cookbook: one page per zoo entry (its paper's math from the catalog, its spec, kernel
// count, recorded f32 error and a playground link) and an index grouped by catalog group, which
// names stand-ins and lists the catalog papers no entry implements.
import type { CatalogGroup, ZooEntry } from '@weft/zoo';
import type { GeneratedPage } from './catalog-pages.js';
import { demoteHeadings } from './catalog-pages.js';
import { type Catalog, catalogPaper, paperPageName } from './catalog-source.js';
import { frontMatter, markdownCell } from './markdown.js';
import { isStandIn } from './stand-ins.js';
import { type BudgetRow, playgroundHash, zooDocument } from './zoo-facts.js';

/**
 * The page that opens the playground (`docs/playground.html`, which typedoc copies to `site/media/`
 * and which keeps the hash on its way to `site/playground/`), relative to a generated cookbook page;
 * a playground link is this and the hash that opens a zoo entry.
 */
export const PLAYGROUND_HREF = '../../playground.html';

/** What the cookbook needs to know of one entry beyond its `ZooEntry` value. */
export interface CookbookFacts {
  readonly entry: ZooEntry;
  /** Its TSDoc prose. */
  readonly docText: string;
  /** Its TSDoc example (the spec), if any. */
  readonly specExample: string | undefined;
  /** The TypeScript module that opens its spec in the playground's editor, where one fits (`entryTypeScriptSpec`). */
  readonly typescriptSpec?: string | undefined;
  /** Kernels of its fused plan on the software profile. */
  readonly kernels: number;
  /** Its rows of the error-budget guide, if recorded. */
  readonly budget: readonly BudgetRow[];
}

const GROUP_TITLES: Readonly<Record<CatalogGroup, string>> = {
  G1: 'G1 — Fused softmax attention core',
  G2: 'G2 — Normalizers other than softmax',
  G3: 'G3 — Normalization layers',
  G4: 'G4 — Linear attention and recurrent forms',
  G5: 'G5 — Structure and approximation',
  G6: 'G6 — Sparse and inference-time attention',
  G7: 'G7 — Readouts from attention',
};

function playgroundLink(id: string): string {
  return `${PLAYGROUND_HREF}${playgroundHash(zooDocument(id))}`;
}

function paperLink(catalog: Catalog, entry: ZooEntry, prefix = '../catalog/'): string {
  const { id, title } = entry.paper;
  const paper = id === null ? undefined : catalogPaper(catalog, id);
  if (paper === undefined) {
    return /not a catalog paper/.test(title)
      ? markdownCell(title)
      : `${markdownCell(title)} (not a catalog paper)`;
  }
  return `[${id}. ${markdownCell(title)}](${prefix}${paperPageName(paper)})`;
}

function budgetSummary(rows: readonly BudgetRow[]): string {
  if (rows.length === 0) return 'not recorded in [the f32 error budget](../../guides/error-budget.md)';
  return rows
    .map(
      (row) =>
        `${row.inputClass} ${row.kernelError} (CPU f32 ${row.cpuF32Error}, ratio ${row.ratio.replace('\\*', '*')})`,
    )
    .join('; ');
}

/** The page of one entry, `cookbook/<id>.md`. */
export function cookbookPage(catalog: Catalog, facts: CookbookFacts): string {
  const { entry } = facts;
  const paper = entry.paper.id === null ? undefined : catalogPaper(catalog, entry.paper.id);
  const lines = [
    frontMatter({ title: entry.id }),
    entry.mechanism === entry.id ? `# ${entry.id}` : `# ${entry.id}: ${entry.mechanism}`,
    '',
    isStandIn(entry)
      ? `**A simplified stand-in**, not the paper's full mechanism. ${entry.description}`
      : entry.description,
    '',
    '| | |',
    '| --- | --- |',
    `| paper | ${paperLink(catalog, entry)} |`,
    `| catalog group | ${GROUP_TITLES[entry.paper.group]} |`,
    `| kernels | ${facts.kernels} (the fused plan generated for the software profile, SwiftShader's limits) |`,
    `| tolerance | ${entry.tolerance.toExponential()} (normwise relative error against float64, as \`pnpm zoo\` checks) |`,
    `| measured f32 error | ${budgetSummary(facts.budget)} |`,
    '',
    `[Open it in the playground](${playgroundLink(entry.id)}) — the playground document \`{ "zoo": "${entry.id}" }\`.`,
    ...(facts.typescriptSpec === undefined
      ? []
      : [
          '',
          `[Open its spec as TypeScript in the playground](${PLAYGROUND_HREF}${playgroundHash(facts.typescriptSpec)}) — the`,
          "spec below as a module to edit, run over the playground's own 128 positions.",
        ]),
    '',
    '## What it computes',
    '',
    demoteHeadings(facts.docText),
    '',
    '## The spec',
    '',
  ];
  if (facts.specExample === undefined) {
    lines.push(`The entry's TSDoc has no example; see \`packages/zoo/src/entries/${entry.id}.ts\`.`, '');
  } else {
    lines.push(
      `From \`packages/zoo/src/entries/${entry.id}.ts\` (its inputs come from the entry's \`build()\`):`,
      '',
      '```ts fragment',
      facts.specExample,
      '```',
      '',
    );
  }
  lines.push(
    'Run it as built, with its seeded inputs (see [the zoo](../../guides/zoo.md)):',
    '',
    '```ts',
    "import { compile, requestWeftDevice } from '@weft/runtime';",
    "import { findZooEntry, ZOO_EXTENSIONS } from '@weft/zoo';",
    '',
    `const { graph, inputs, params, dims } = findZooEntry('${entry.id}')!.build();`,
    'const program = await compile(graph, { device: await requestWeftDevice(), params, extensions: ZOO_EXTENSIONS });',
    'const outputs = await program.run(inputs, { dims });',
    '```',
    '',
  );
  if (paper !== undefined) {
    lines.push(
      `## The paper's math (catalog ${paper.ids.join(' and ')})`,
      '',
      `From [the catalog's page](../catalog/${paperPageName(paper)}) (\`docs/catalog/${paper.file}\`):`,
      '',
      demoteHeadings(demoteHeadings(paper.body)),
      '',
    );
  }
  return lines.join('\n');
}

/** The cookbook index, `cookbook/index.md`. */
export function cookbookIndexPage(catalog: Catalog, facts: readonly CookbookFacts[]): string {
  const children: Record<string, string> = {};
  for (const { entry } of facts) children[entry.id] = `${entry.id}.md`;
  const lines = [
    frontMatter({ title: 'Cookbook: every zoo mechanism', children }),
    '# Cookbook: every zoo mechanism',
    '',
    `One page per entry of \`@weft/zoo\` (${facts.length} entries), generated from the zoo and [the catalog](../catalog/index.md)`,
    '(`tools/src/docs/pages/`, run by `pnpm run docs`): the paper and its math, the spec, the kernels of its',
    'fused plan on the software profile, the f32 error recorded in [the f32 error budget](../../guides/error-budget.md),',
    'and a link that opens it in [the playground](../../guides/playground.md). Building a variant of your own:',
    'the [attention cookbook](../../guides/attention-cookbook.md) and [normalization layers](../../guides/normalization-layers.md).',
    '',
  ];
  for (const group of Object.keys(GROUP_TITLES) as CatalogGroup[]) {
    const inGroup = facts.filter(({ entry }) => entry.paper.group === group);
    if (inGroup.length === 0) continue;
    lines.push(
      `## ${GROUP_TITLES[group]}`,
      '',
      '| entry | what it computes | paper | kernels | f32 error (normal) |',
      '| --- | --- | --- | ---: | --- |',
    );
    for (const { entry, kernels, budget } of inGroup) {
      const normal = budget.find((row) => row.inputClass === 'normal')?.kernelError ?? '—';
      const what = `${isStandIn(entry) ? '**Stand-in.** ' : ''}${markdownCell(entry.description)}`;
      lines.push(
        `| [\`${entry.id}\`](${entry.id}.md) | ${what} | ${paperLink(catalog, entry)} | ${kernels} | ${normal} |`,
      );
    }
    lines.push('');
  }
  const standIns = facts.filter(({ entry }) => isStandIn(entry));
  lines.push(
    '## Stand-ins',
    '',
    standIns.length === 0
      ? 'No entry is a stand-in.'
      : `Simplified stand-ins, not the paper's full mechanism: ${standIns.map(({ entry }) => `[\`${entry.id}\`](${entry.id}.md)`).join(', ')}.`,
    '',
    ...unsupportedSection(catalog, facts),
  );
  return lines.join('\n');
}

function unsupportedSection(catalog: Catalog, facts: readonly CookbookFacts[]): string[] {
  // A stand-in does not make its paper supported.
  const cited = new Set(
    facts
      .filter(({ entry }) => !isStandIn(entry))
      .map(({ entry }) => entry.paper.id)
      .filter((id): id is number => id !== null),
  );
  // Papers sharing a catalog section (3 and 4) are covered by an entry citing either.
  for (const paper of catalog.papers)
    if (paper.ids.some((id) => cited.has(id))) for (const id of paper.ids) cited.add(id);
  const uncovered = catalog.index.filter((row) => !cited.has(row.id));
  const row = (paper: (typeof uncovered)[number]) => {
    const section = catalogPaper(catalog, paper.id);
    const name =
      section === undefined
        ? markdownCell(paper.shortName)
        : `[${markdownCell(paper.shortName)}](../catalog/${paperPageName(section)})`;
    return `| ${paper.id} | ${name} | ${markdownCell(paper.category)} | ${markdownCell(paper.priority)} |`;
  };
  const nothingToCompute = uncovered.filter((paper) => /^N\/A/.test(paper.priority));
  const missing = uncovered.filter((paper) => !/^N\/A/.test(paper.priority));
  return [
    '## Not supported',
    '',
    `The ${missing.length} catalog papers with a mechanism that no zoo entry implements yet, with the`,
    "catalog's category and priority (the catalog page of each says what supporting it would take):",
    '',
    '| paper | short name | category | priority |',
    '| ---: | --- | --- | --- |',
    ...missing.map(row),
    '',
    `And ${nothingToCompute.length} papers with nothing to compute (surveys, analyses, pipelines; priority N/A):`,
    '',
    '| paper | short name | category | priority |',
    '| ---: | --- | --- | --- |',
    ...nothingToCompute.map(row),
    '',
  ];
}

/** Every cookbook page: the index and one page per entry. */
export function cookbookPages(catalog: Catalog, facts: readonly CookbookFacts[]): GeneratedPage[] {
  return [
    { path: 'cookbook/index.md', text: cookbookIndexPage(catalog, facts) },
    ...facts.map((entryFacts) => ({
      path: `cookbook/${entryFacts.entry.id}.md`,
      text: cookbookPage(catalog, entryFacts),
    })),
  ];
}
