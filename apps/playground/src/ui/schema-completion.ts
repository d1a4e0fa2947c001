import type { Completion, CompletionContext, CompletionResult } from '@codemirror/autocomplete';
import { ensureSyntaxTree, syntaxTree } from '@codemirror/language';

/** A node of the JSON syntax tree (Lezer's `SyntaxNode`, reached through CodeMirror's API). */
type SyntaxNode = ReturnType<ReturnType<typeof syntaxTree>['resolveInner']>;

/** The parts of a JSON Schema (draft 7, as `packages/models/schema/*.json` are written) completion reads. */
export interface JsonSchema {
  readonly $ref?: string;
  readonly $defs?: Readonly<Record<string, JsonSchema>>;
  readonly definitions?: Readonly<Record<string, JsonSchema>>;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly allOf?: readonly JsonSchema[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly items?: JsonSchema | readonly JsonSchema[];
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly description?: string;
}

/**
 * A completion source for a JSON document that follows a JSON Schema: property names where a key
 * is being written, `const` and `enum` values (the `kind` of every part) where a value is.
 * `schemaOf` picks the schema for the document's text (an attention spec, a model spec, ...).
 */
export function schemaCompletion(
  schemaOf: (text: string) => JsonSchema | undefined,
): (context: CompletionContext) => CompletionResult | null {
  return (context) => {
    const root = schemaOf(context.state.doc.toString());
    if (root === undefined) return null;
    // Finish parsing the (small) document first: a partial tree would place the cursor wrongly.
    const tree = ensureSyntaxTree(context.state, context.state.doc.length, 200) ?? syntaxTree(context.state);
    const node = tree.resolveInner(context.pos, -1);
    const place = placeOf(node, context);
    if (place === undefined) return null;
    const schemas = place.path.reduce<JsonSchema[]>(
      (current, step) => current.flatMap((schema) => childSchemas(root, schema, step)),
      expand(root, root),
    );
    const options = place.key ? keyOptions(schemas) : valueOptions(root, schemas);
    if (options.length === 0) return null;
    return { from: place.from, options, validFor: /^"?[\w.-]*"?$/ };
  };
}

interface Place {
  /** Keys (and array indices) from the document root to the object or value being completed. */
  readonly path: readonly (string | number)[];
  /** A key is being written (else a value). */
  readonly key: boolean;
  /** Where the replaced text starts. */
  readonly from: number;
}

function placeOf(node: SyntaxNode, context: CompletionContext): Place | undefined {
  const text = (from: number, to: number) => context.state.sliceDoc(from, to);
  const typing = node.name === 'String' || node.name === 'PropertyName';
  const from = typing ? node.from : context.pos;
  let key: boolean;
  let start: SyntaxNode | null;
  if (node.name === 'PropertyName') {
    key = true;
    start = node.parent?.parent ?? null; // Property → Object
  } else if (node.name === 'Object' || (typing && node.parent?.name === 'Object')) {
    key = true;
    start = node.name === 'Object' ? node : node.parent;
  } else if (node.name === 'Property' || (typing && node.parent?.name === 'Property')) {
    const property = node.name === 'Property' ? node : node.parent!;
    const colon = property.getChild(':');
    if (colon === null || colon.to > context.pos) return undefined;
    key = false;
    start = property;
  } else if (node.name === '⚠' && node.parent?.name === 'Property') {
    key = false;
    start = node.parent;
  } else return undefined;
  const path: (string | number)[] = [];
  for (let at = start; at !== null; at = at.parent) {
    if (at.name === 'Property') {
      const name = at.getChild('PropertyName');
      if (name !== null) path.unshift(unquote(text(name.from, name.to)));
    } else if (at.name === 'Array' && at.parent !== null) {
      path.unshift(0);
    }
  }
  return { path, key, from };
}

function unquote(quoted: string): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return quoted.replace(/^"|"$/g, '');
  }
}

/** The schema and, through `$ref`, `anyOf`, `oneOf` and `allOf`, every schema it stands for. */
function expand(root: JsonSchema, schema: JsonSchema, depth = 0): JsonSchema[] {
  if (depth > 16) return [];
  if (schema.$ref !== undefined) {
    const target = resolveRef(root, schema.$ref);
    return target === undefined ? [] : expand(root, target, depth + 1);
  }
  const branches = [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])];
  return [schema, ...branches.flatMap((branch) => expand(root, branch, depth + 1))];
}

function resolveRef(root: JsonSchema, ref: string): JsonSchema | undefined {
  const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
  if (match === null) return undefined;
  const table = match[1] === '$defs' ? root.$defs : root.definitions;
  return table?.[decodeURIComponent(match[2]!).replaceAll('~1', '/').replaceAll('~0', '~')];
}

function childSchemas(root: JsonSchema, schema: JsonSchema, step: string | number): JsonSchema[] {
  if (typeof step === 'number') {
    const items = schema.items;
    if (items === undefined) return [];
    return (Array.isArray(items) ? items : [items as JsonSchema]).flatMap((item) => expand(root, item));
  }
  const child = schema.properties?.[step];
  return child === undefined ? [] : expand(root, child);
}

function keyOptions(schemas: readonly JsonSchema[]): Completion[] {
  const seen = new Map<string, Completion>();
  for (const schema of schemas) {
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      if (name === '$schema' || seen.has(name)) continue;
      seen.set(name, {
        label: JSON.stringify(name),
        type: 'property',
        ...(property.description === undefined ? {} : { info: property.description }),
        apply: `${JSON.stringify(name)}: `,
      });
    }
  }
  return [...seen.values()];
}

function valueOptions(root: JsonSchema, schemas: readonly JsonSchema[]): Completion[] {
  const values = new Set<string>();
  for (const schema of schemas.flatMap((candidate) => expand(root, candidate))) {
    if (schema.const !== undefined) values.add(JSON.stringify(schema.const));
    for (const value of schema.enum ?? []) values.add(JSON.stringify(value));
  }
  return [...values].map((label) => ({ label, type: 'enum' }));
}
