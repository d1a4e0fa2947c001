// Reads the catalog (`docs/catalog/`, the design input: one section of math per paper) into its
// papers, the notes around them and the quick-index rows, for the generated catalog and cookbook pages.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The three files of paper sections, in catalog order. */
export const CATALOG_PAPER_FILES = ['papers-01-40.md', 'papers-41-80.md', 'papers-81-119.md'] as const;

/** One `## N. Title` section of a catalog file (papers 3 and 4 share one: `## 3. ... and 4. ...`). */
export interface CatalogPaper {
  /** The paper numbers its heading names (one, or two for a shared section). */
  readonly ids: readonly number[];
  /** The heading after `## `, e.g. `34. On the Expressivity Role of LayerNorm ...`. */
  readonly heading: string;
  /** The section's text below its heading, trimmed. */
  readonly body: string;
  /** The catalog file it comes from. */
  readonly file: string;
}

/** A row of a file's quick index: `| id | short name | category | priority |`. */
export interface CatalogIndexRow {
  readonly id: number;
  readonly shortName: string;
  readonly category: string;
  readonly priority: string;
}

/** What a catalog file holds besides its paper sections. */
export interface CatalogFileNotes {
  readonly file: string;
  /** The file's title (its `# ` heading). */
  readonly title: string;
  /** The text before the first paper section, quick index included. */
  readonly preamble: string;
  /** The text after the last paper section (the file's summary), or '' where there is none. */
  readonly summary: string;
}

/** The whole catalog. */
export interface Catalog {
  /** `README.md`: groups, priorities, known ambiguities. */
  readonly readme: string;
  readonly papers: readonly CatalogPaper[];
  readonly notes: readonly CatalogFileNotes[];
  readonly index: readonly CatalogIndexRow[];
}

/** Reads the catalog from `directory` (README.md and the three paper files). */
export function readCatalog(directory: string): Catalog {
  const files = CATALOG_PAPER_FILES.map((file) =>
    parseCatalogFile(file, readFileSync(join(directory, file), 'utf8')),
  );
  return {
    readme: readFileSync(join(directory, 'README.md'), 'utf8'),
    papers: files.flatMap((file) => file.papers),
    notes: files.map((file) => file.notes),
    index: files.flatMap((file) => file.index).sort((a, b) => a.id - b.id),
  };
}

const PAPER_HEADING = /^## (\d+)\. /;

/** Splits one catalog file into paper sections (at `## N. ` headings), its preamble and its summary. */
export function parseCatalogFile(
  file: string,
  text: string,
): { papers: CatalogPaper[]; notes: CatalogFileNotes; index: CatalogIndexRow[] } {
  const lines = text.split('\n');
  const title = (lines.find((line) => line.startsWith('# ')) ?? `# ${file}`).slice(2).trim();
  const papers: CatalogPaper[] = [];
  const preamble: string[] = [];
  const summary: string[] = [];
  let current: { heading: string; lines: string[] } | undefined;
  let afterPapers = false;
  const close = () => {
    if (current === undefined) return;
    // A `---` rule closes the last section of a file before its summary; it belongs to neither.
    const body = current.lines
      .join('\n')
      .replace(/\n-{3,}\s*$/, '')
      .trim();
    papers.push({ ids: paperIds(current.heading), heading: current.heading, body, file });
    current = undefined;
  };
  for (const line of lines) {
    if (PAPER_HEADING.test(line)) {
      close();
      current = { heading: line.slice(3).trim(), lines: [] };
    } else if (line.startsWith('## ') && current !== undefined) {
      close();
      afterPapers = true;
      summary.push(line);
    } else if (current !== undefined) {
      current.lines.push(line);
    } else if (afterPapers) {
      summary.push(line);
    } else if (!line.startsWith('# ')) {
      preamble.push(line);
    }
  }
  close();
  // A file without a quick index (papers 41–80) gets its rows from each section's Category and
  // Priority lines.
  const index = quickIndexRows(preamble);
  for (const paper of papers) {
    for (const id of paper.ids)
      if (!index.some((row) => row.id === id)) index.push(sectionIndexRow(id, paper));
  }
  return {
    papers,
    notes: { file, title, preamble: trimRules(preamble.join('\n')), summary: trimRules(summary.join('\n')) },
    index,
  };
}

function sectionIndexRow(id: number, paper: CatalogPaper): CatalogIndexRow {
  const body = paper.body.replaceAll('**', '');
  const category =
    /Category:\s*([^\n]*)/
      .exec(body)?.[1]
      ?.split(/ — | \(/)[0]
      ?.trim() ?? '—';
  const priority = /Priority:\s*(P\d(?:\s*\/\s*P\d)?|N\/A)/.exec(body)?.[1] ?? '—';
  return { id, shortName: paper.heading.replace(/^\d+\.\s*/, ''), category, priority };
}

/** `3. DurIAN-E 2 (Gu et al. 2024) and 4. DurIAN-E (Gu et al. 2023)` → [3, 4]. */
function paperIds(heading: string): number[] {
  const ids = [Number(/^(\d+)\./.exec(heading)![1])];
  for (const match of heading.matchAll(/\band (\d+)\. /g)) ids.push(Number(match[1]));
  return ids;
}

function quickIndexRows(lines: readonly string[]): CatalogIndexRow[] {
  const rows: CatalogIndexRow[] = [];
  for (const line of lines) {
    const cells = line.split('|').map((cell) => cell.trim());
    if (cells.length < 6 || !/^\d+$/.test(cells[1]!)) continue;
    rows.push({ id: Number(cells[1]), shortName: cells[2]!, category: cells[3]!, priority: cells[4]! });
  }
  return rows;
}

function trimRules(text: string): string {
  return text
    .replace(/^(\s*-{3,}\s*\n)+/, '')
    .replace(/(\n\s*-{3,}\s*)+$/, '')
    .trim();
}

/** The section that covers paper `id`, if the catalog has one. */
export function catalogPaper(catalog: Catalog, id: number): CatalogPaper | undefined {
  return catalog.papers.find((paper) => paper.ids.includes(id));
}

/** File name of a paper's generated page (`paper-034.md`); papers sharing a section share a page. */
export function paperPageName(paper: CatalogPaper): string {
  return `paper-${String(paper.ids[0]).padStart(3, '0')}.md`;
}
