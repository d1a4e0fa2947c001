// Plain-text tables for the command lines (`weft`, `pnpm zoo`, `pnpm bench`, `pnpm fuzz`,
// `pnpm soak`). It lives in `@weft/ir` because that is the lowest package every one of them already
// imports (apps, zoo and tools all sit above it), and it needs nothing but strings: putting it in
// `@weft/runtime` would make a text helper depend on the device layer for no reason.
// It is the one table formatter of the project, and kept rather than a library: `@weft/ir` has no
// runtime dependency and runs in browsers, the tables are plain aligned columns (no borders, no
// colour, no wrapping), and the layout rule the tables rely on — a free-text last column that is
// not padded — is one line here. cli-table3 draws borders by default and brings string-width and its
// four dependencies, `table` brings ajv, and text-table (the borderless one) is a 0.2.0 release
// that ships no types.

/** How a column's cells align: text left, numbers right. */
export type ColumnAlign = 'left' | 'right';

/** Options of {@link formatTable}. */
export interface FormatTableOptions {
  /** Column headings, printed first (aligned like their column). */
  readonly header?: readonly string[];
  /** Alignment per column; columns without one align left. */
  readonly align?: readonly ColumnAlign[];
  /** Print a rule of dashes under the header (default true; ignored without a header). */
  readonly rule?: boolean;
}

/**
 * Aligns `rows` of cells into columns two spaces apart, each as wide as its widest cell or
 * heading; trailing spaces are trimmed. A left-aligned last column is free text (a note, a reason):
 * it is not padded, and its rule is only as wide as its heading.
 *
 * ```text
 * mechanism  kernels  max rel. error
 * ---------  -------  --------------
 * LayerNorm        1         1.23e-7
 * ```
 */
export function formatTable(rows: readonly (readonly string[])[], options: FormatTableOptions = {}): string {
  const { header, align = [] } = options;
  const all = header === undefined ? rows : [header, ...rows];
  const columns = Math.max(0, ...all.map((row) => row.length));
  const last = columns - 1;
  const freeLast = align[last] !== 'right';
  const widths = Array.from({ length: columns }, (_, column) =>
    Math.max(0, ...all.map((row) => (row[column] ?? '').length)),
  );
  const line = (row: readonly string[]) =>
    widths
      .map((width, column) => {
        const cell = row[column] ?? '';
        if (column === last && freeLast) return cell;
        return align[column] === 'right' ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  const lines = rows.map(line);
  if (header === undefined) return lines.join('\n');
  const ruleWidths = widths.map((width, column) =>
    column === last && freeLast ? (header[column] ?? '').length : width,
  );
  const rule = options.rule === false ? [] : [line(ruleWidths.map((width) => '-'.repeat(width)))];
  return [line(header), ...rule, ...lines].join('\n');
}
