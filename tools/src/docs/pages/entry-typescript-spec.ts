// The TypeScript module that opens a zoo entry's spec in the playground's editor, where the entry's
// example is an attention spec over plain query, key and value: `export default attention({...})`
// with its names imported from `@weft/attention`.

/** Names an example's spec may use beside `@weft/attention`'s exports. */
const GLOBALS = new Set(['Math', 'true', 'false', 'undefined', 'Infinity']);

const EXAMPLE =
  /^const spec = (attention\([\s\S]*\));\nconst \{ \w+ \} = applyAttention\(spec, \{ query, key, value \}\);$/;

/**
 * The playground module of an entry's `@example`, where it fits: the example is exactly
 * `const spec = attention(...)` and `applyAttention(spec, { query, key, value })`, and the spec uses
 * only `@weft/attention`'s exports (`attentionExports`) and no captured tensor (`tensorRef`: the
 * playground binds no tensors to an `AttentionSpec`). Otherwise `undefined`.
 */
export function entryTypeScriptSpec(
  example: string | undefined,
  attentionExports: ReadonlySet<string>,
): string | undefined {
  const expression = example === undefined ? undefined : EXAMPLE.exec(example.trim())?.[1];
  if (expression === undefined || /\btensorRef\b/.test(expression)) return undefined;
  const names = new Set<string>();
  // Identifiers that are values: not a property (`.name`), not an object key (`name:`), outside strings.
  const code = expression.replace(/'[^']*'|"[^"]*"/g, "''");
  for (const match of code.matchAll(/(?<![.\w$])([A-Za-z_$][\w$]*)(?![\w$])(?!\s*:)/g)) {
    const name = match[1]!;
    if (GLOBALS.has(name)) continue;
    if (!attentionExports.has(name)) return undefined;
    names.add(name);
  }
  return [
    `import { ${[...names].sort().join(', ')} } from '@weft/attention';`,
    '',
    `export default ${expression};`,
    '',
  ].join('\n');
}
