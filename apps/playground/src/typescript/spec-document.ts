import { type Graph, makeGraph, Node, SpecError } from '@weft/ir';
import { jsonDocument, type PlaygroundDocument } from '../document/playground-document.js';
import { evaluateSpecModule, type SpecExport, type SpecModules } from './spec-module.js';

/** What a spec module may export, for the message that refuses anything else. */
const EXPORTABLE =
  'an AttentionSpec (attention(...)), a graph (makeGraph(...)) or a tensor node, ' +
  'or a JSON-shaped attention spec, model spec or { zoo: <entry id> }';

/**
 * Transpiles and runs a TypeScript spec module with `modules` importable, and gives the document of
 * what it exports (see {@link documentOfExport}).
 *
 * @throws SpecError for a syntax error, an unknown import or an export that is not a spec; what the
 * module itself throws (a `WeftError` from a builder) as it is.
 */
export async function typescriptDocument(source: string, modules: SpecModules): Promise<PlaygroundDocument> {
  return documentOfExport(await evaluateSpecModule(source, modules));
}

/**
 * The document of the value a TypeScript spec module exports: an `AttentionSpec`, a `Graph` (or a
 * node, the one output of a graph), or a plain object read as the editor's JSON documents are.
 *
 * @throws SpecError naming the export and what it holds, where that is none of those.
 */
export function documentOfExport({ name, value }: SpecExport): PlaygroundDocument {
  if (value instanceof Node) return { kind: 'graph', graph: makeGraph({ output: value }) };
  if (isGraph(value)) return { kind: 'graph', graph: value };
  if (isRecord(value) && value.kind === 'attention' && typeof value.heads === 'number') {
    return { kind: 'attention-spec', spec: value as never };
  }
  if (isRecord(value) && isPlain(value)) return jsonDocument(value);
  throw new SpecError(`the spec module's export "${name}" is not a spec`, {
    expected: EXPORTABLE,
    actual: describe(value),
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPlain(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function isGraph(value: unknown): value is Graph {
  if (!isRecord(value) || !isRecord(value.outputs)) return false;
  const outputs = Object.values(value.outputs);
  return outputs.length > 0 && outputs.every((output) => output instanceof Node);
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'function') return `a function${value.name === '' ? '' : ` (${value.name})`}`;
  if (typeof value === 'object') {
    const name = Object.getPrototypeOf(value)?.constructor?.name;
    return typeof name === 'string' && name !== 'Object' ? `a ${name}` : 'an object';
  }
  return `${typeof value} ${JSON.stringify(value)}`;
}
