// The catalog as documentation pages: an index (the catalog's README and a table of every paper) with
// one page per paper section and one page of notes per catalog file as its children.
import type { ZooEntry } from '@weft/zoo';
import { type Catalog, type CatalogFileNotes, type CatalogPaper, paperPageName } from './catalog-source.js';
import { frontMatter, markdownCell } from './markdown.js';
import { isStandIn } from './stand-ins.js';

/** A generated page: its path below the generated folder and its Markdown. */
export interface GeneratedPage {
  readonly path: string;
  readonly text: string;
}

function notesPageName(notes: CatalogFileNotes): string {
  return `notes-${notes.file}`;
}

/** Every catalog page: `catalog/index.md`, `catalog/paper-NNN.md`, `catalog/notes-papers-*.md`. */
export function catalogPages(catalog: Catalog, zoo: readonly ZooEntry[]): GeneratedPage[] {
  return [
    { path: 'catalog/index.md', text: catalogIndexPage(catalog, zoo) },
    ...catalog.papers.map((paper) => ({
      path: `catalog/${paperPageName(paper)}`,
      text: paperPage(paper, zoo),
    })),
    ...catalog.notes.map((notes) => ({ path: `catalog/${notesPageName(notes)}`, text: notesPage(notes) })),
  ];
}

function catalogIndexPage(catalog: Catalog, zoo: readonly ZooEntry[]): string {
  const children: Record<string, string> = {};
  for (const paper of catalog.papers) children[paper.heading] = paperPageName(paper);
  for (const notes of catalog.notes) children[`Notes: ${notes.title}`] = notesPageName(notes);
  const readme = catalog.readme
    .replace(/^# .*\n/, '')
    .replace(
      'The three files beside this one',
      'The pages below this one (one per paper, from the three files of `docs/catalog/`)',
    )
    .trim();
  const rows = catalog.index.map((row) => {
    const paper = catalog.papers.find((candidate) => candidate.ids.includes(row.id));
    const name =
      paper === undefined
        ? markdownCell(row.shortName)
        : `[${markdownCell(row.shortName)}](${paperPageName(paper)})`;
    const entries = zoo
      .filter((entry) => entry.paper.id === row.id)
      .map((entry) => `[\`${entry.id}\`](../cookbook/${entry.id}.md)`);
    return `| ${row.id} | ${name} | ${markdownCell(row.category)} | ${markdownCell(row.priority)} | ${entries.join(', ') || '—'} |`;
  });
  return [
    frontMatter({ title: 'The catalog', children }),
    '# The catalog: what Weft must express',
    '',
    'The catalog is the design input of Weft: for each of 119 papers on attention and normalization, the',
    'exact forward math, parameters, defaults and reference code that a supported mechanism is checked',
    'against. Its source is `docs/catalog/` in the repository; these pages are generated from it',
    '(`tools/src/docs/pages/`). The [cookbook](../cookbook/index.md) has one page per zoo entry.',
    '',
    readme,
    '',
    '## Every paper',
    '',
    '| id | paper | category | priority | zoo entries |',
    '| ---: | --- | --- | --- | --- |',
    ...rows,
    '',
    `Notes of each catalog file (notation, sources, summaries): ${catalog.notes
      .map((notes) => `[${notes.title}](${notesPageName(notes)})`)
      .join(' · ')}.`,
    '',
  ].join('\n');
}

function paperPage(paper: CatalogPaper, zoo: readonly ZooEntry[]): string {
  const citing = zoo.filter((entry) => entry.paper.id !== null && paper.ids.includes(entry.paper.id));
  const link = (entry: ZooEntry) => `[\`${entry.id}\`](../cookbook/${entry.id}.md)`;
  // A stand-in cites the paper it stands in for but does not implement it.
  const entries = citing.filter((entry) => !isStandIn(entry));
  const standIns = citing.filter(isStandIn);
  const implemented = [
    entries.length === 0
      ? 'No zoo entry implements this paper (see [what the zoo does not support](../cookbook/index.md#not-supported)).'
      : `Zoo entries: ${entries.map(link).join(', ')}.`,
    ...(standIns.length === 0 ? [] : [`Simplified stand-ins: ${standIns.map(link).join(', ')}.`]),
  ].join(' ');
  return [
    frontMatter({ title: paper.heading }),
    `# ${paper.heading}`,
    '',
    `From [the catalog](index.md) (\`docs/catalog/${paper.file}\`). ${implemented}`,
    '',
    demoteHeadings(paper.body),
    '',
  ].join('\n');
}

function notesPage(notes: CatalogFileNotes): string {
  return [
    frontMatter({ title: `Notes: ${notes.title}` }),
    `# ${notes.title}: notation, sources and summary`,
    '',
    `The text of \`docs/catalog/${notes.file}\` around its paper sections; the sections are the paper pages of [the catalog](index.md).`,
    '',
    demoteHeadings(notes.preamble),
    '',
    demoteHeadings(notes.summary),
    '',
  ].join('\n');
}

/** Moves `## ` headings of catalog text below the page's own `# ` and `## ` headings. */
export function demoteHeadings(text: string): string {
  let inFence = false;
  return text
    .split('\n')
    .map((line) => {
      if (/^\s*```/.test(line)) inFence = !inFence;
      return !inFence && /^#{1,5} /.test(line) ? `#${line}` : line;
    })
    .join('\n');
}
