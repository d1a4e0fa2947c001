/**
 * Whether the editor's text is a TypeScript module rather than a JSON document: it has a line that
 * starts with `import` or `export` (a JSON document cannot: its strings hold no line breaks).
 */
export function isTypeScriptModule(text: string): boolean {
  return /^\s*(import|export)\b/m.test(text);
}
