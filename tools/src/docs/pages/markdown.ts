// Small Markdown helpers for the generated pages.

/** YAML front matter; values are written as JSON, which YAML reads unchanged. */
export function frontMatter(
  fields: Readonly<Record<string, string | Readonly<Record<string, string>>>>,
): string {
  const lines = ['---'];
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === 'string') {
      lines.push(`${key}: ${JSON.stringify(value)}`);
    } else {
      lines.push(`${key}:`);
      for (const [name, path] of Object.entries(value))
        lines.push(`  ${JSON.stringify(name)}: ${JSON.stringify(path)}`);
    }
  }
  lines.push('---', '');
  return lines.join('\n');
}

/** Text made safe for one table cell (no pipe, no line break). */
export function markdownCell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}
