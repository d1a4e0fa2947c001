import { type SymbolicDim, symbolicDim } from '../dim.js';
import { GraphError, WeftError } from '../errors.js';
import { Expr } from '../expr/expr.js';
import { type Graph, graphNodes, makeGraph } from '../graph/graph.js';
import { makeNode } from '../graph/make-node.js';
import type { Attrs, AttrValue, Node } from '../graph/node.js';
import { builtinOp } from '../ops/builtin-ops.js';
import { type Extension, resolveExtensionOp, unknownOpHint } from '../ops/extension.js';
import type { OpDef } from '../ops/op-table.js';
import { type ExprJSON, ExprTableWriter, exprTableFromJSON } from './expr-json.js';
import { isTaggedNumber, jsonError, type NumberJSON, numberFromJSON, numberToJSON } from './json-number.js';

/**
 * Deepest nesting of attribute values (arrays and records inside attributes) that
 * {@link graphFromJSON} reads; deeper documents are refused with a `SpecError` rather than
 * overflowing the stack. Real graphs nest a few levels.
 */
export const MAX_ATTR_DEPTH = 64;

/** Version of the graph JSON schema written by {@link graphToJSON}. */
export const GRAPH_SCHEMA_VERSION = 1;

/** An attribute value in graph JSON: plain JSON, or a tagged Expr, symbolic dim, record or special number. */
export type AttrJSON =
  | NumberJSON
  | string
  | boolean
  | null
  | readonly AttrJSON[]
  | { readonly $expr: number }
  | { readonly $dim: { readonly name: string; readonly max: number } }
  | { readonly $record: { readonly [key: string]: AttrJSON } };

/** One node in graph JSON; `inputs` index earlier nodes. */
export interface NodeJSON {
  /** Op name. */
  readonly op: string;
  /** Operands, as indices into `nodes`. */
  readonly inputs: readonly number[];
  /** Attributes. */
  readonly attrs: { readonly [key: string]: AttrJSON };
}

/** A serialized graph. Shapes and dtypes are not stored: they are re-inferred when loading. */
export interface GraphJSON {
  /** Schema version ({@link GRAPH_SCHEMA_VERSION}). */
  readonly schemaVersion: number;
  /** Expr nodes used by attributes, operands first. */
  readonly exprs: readonly ExprJSON[];
  /** Graph nodes, operands first. */
  readonly nodes: readonly NodeJSON[];
  /** Named outputs, as indices into `nodes`. */
  readonly outputs: { readonly [name: string]: number };
}

/**
 * Serializes a graph to plain JSON data (pass it to `JSON.stringify`). Round-trips exactly:
 * `graphFromJSON(graphToJSON(g))` rebuilds the same nodes (same hashes), including Exprs,
 * symbolic dims and non-finite constants.
 *
 * @example
 * ```ts
 * const json = graphToJSON(makeGraph({ y: reduce('sum', input('x', [4, 8]), 1) }));
 * const text = JSON.stringify(json); // graphFromJSON(text) reads it back
 * ```
 */
export function graphToJSON(graph: Graph): GraphJSON {
  const exprs = new ExprTableWriter();
  const nodes = graphNodes(graph);
  const ids = new Map<Node, number>(nodes.map((node, i) => [node, i]));
  const encodeAttr = (value: AttrValue): AttrJSON => {
    if (typeof value === 'number') return numberToJSON(value);
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
    if (value instanceof Expr) return { $expr: exprs.add(value) };
    if (Array.isArray(value)) return value.map(encodeAttr);
    if ((value as SymbolicDim).kind === 'symbolic')
      return { $dim: { name: (value as SymbolicDim).name, max: (value as SymbolicDim).max } };
    return { $record: encodeRecord(value as Attrs) };
  };
  const encodeRecord = (attrs: Attrs): Record<string, AttrJSON> =>
    Object.fromEntries(Object.entries(attrs).map(([key, value]) => [key, encodeAttr(value)]));
  const nodeJSON = nodes.map((node) => ({
    op: node.op,
    inputs: node.inputs.map((input) => ids.get(input)!),
    attrs: encodeRecord(node.attrs),
  }));
  const outputs = Object.fromEntries(
    Object.entries(graph.outputs).map(([name, node]) => [name, ids.get(node)!]),
  );
  return { schemaVersion: GRAPH_SCHEMA_VERSION, exprs: exprs.entries, nodes: nodeJSON, outputs };
}

/** Options of {@link graphFromJSON}. */
export interface GraphFromJSONOptions {
  /**
   * Where ops that are not built in are defined (for example `attention` from
   * `@weft/attention/kernels`). Op names resolve among the built-in ops first, then in each
   * extension in order.
   */
  readonly extensions?: readonly Extension[];
}

/**
 * Rebuilds a graph from {@link graphToJSON} output (or its JSON text). Every node goes through
 * `makeNode`, so shape rules run again. Throws a `SpecError` naming the JSON path of the first
 * problem (`$.nodes[3].attrs.axis`), including shape and dtype errors of the rebuilt nodes, and a
 * `GraphError` for an op that neither the built-in ops nor `options.extensions` define, naming
 * the op and the extension that provides it.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { attention } from '@weft/attention/kernels';
 *
 * const text = readFileSync('graph.json', 'utf8');
 * const graph = graphFromJSON(text, { extensions: [attention] });
 * ```
 */
export function graphFromJSON(json: unknown, options: GraphFromJSONOptions = {}): Graph {
  const extensions = options.extensions ?? [];
  const document = typeof json === 'string' ? parseText(json) : json;
  if (typeof document !== 'object' || document === null)
    throw jsonError('$', 'a graph JSON object', document);
  const { schemaVersion, exprs, nodes, outputs } = document as Record<string, unknown>;
  if (schemaVersion !== GRAPH_SCHEMA_VERSION)
    throw jsonError('$.schemaVersion', String(GRAPH_SCHEMA_VERSION), schemaVersion);
  const exprTable = exprTableFromJSON(exprs, '$.exprs');
  if (!Array.isArray(nodes)) throw jsonError('$.nodes', 'an array of nodes', nodes);
  const built: Node[] = [];
  nodes.forEach((entry: unknown, i) => {
    built.push(nodeFromJSON(entry, built, exprTable, extensions, `$.nodes[${i}]`));
  });
  if (typeof outputs !== 'object' || outputs === null || Array.isArray(outputs))
    throw jsonError('$.outputs', 'an object', outputs);
  const named = Object.fromEntries(
    Object.entries(outputs).map(([name, id]) => [name, lookup(built, id, `$.outputs.${name}`)]),
  );
  return makeGraph(named);
}

function nodeFromJSON(
  entry: unknown,
  built: readonly Node[],
  exprs: readonly Expr[],
  extensions: readonly Extension[],
  path: string,
): Node {
  if (typeof entry !== 'object' || entry === null) throw jsonError(path, 'a node object', entry);
  const { op, inputs, attrs } = entry as Record<string, unknown>;
  if (typeof op !== 'string') throw jsonError(`${path}.op`, 'an op name', op);
  if (!Array.isArray(inputs)) throw jsonError(`${path}.inputs`, 'an array of node indices', inputs);
  const operands = inputs.map((id: unknown, k) => lookup(built, id, `${path}.inputs[${k}]`));
  const decoded = decodeRecord(attrs, exprs, `${path}.attrs`);
  const def = resolveOp(op, decoded, extensions, path);
  try {
    return makeNode(def, operands, decoded);
  } catch (error) {
    if (!WeftError.isInstance(error)) throw error;
    throw jsonError(path, `a valid "${op}" node`, error.message);
  }
}

function resolveOp(op: string, attrs: Attrs, extensions: readonly Extension[], path: string): OpDef {
  const def = builtinOp(op) ?? resolveExtensionOp(op, attrs, extensions);
  if (def === undefined) {
    throw new GraphError(`${path}: unknown op "${op}": ${unknownOpHint(op, extensions)}`, {
      expected: 'a built-in op or an op of the given extensions',
      actual: op,
    });
  }
  return def;
}

function decodeRecord(value: unknown, exprs: readonly Expr[], path: string, depth = 0): Attrs {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw jsonError(path, 'an attribute object', value);
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, decodeAttr(item, exprs, `${path}.${key}`, depth + 1)]),
  );
}

function decodeAttr(value: unknown, exprs: readonly Expr[], path: string, depth: number): AttrValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number')
    return value;
  if (depth > MAX_ATTR_DEPTH)
    throw jsonError(
      path.length > 200 ? `${path.slice(0, 120)}...` : path,
      `attributes nested at most ${MAX_ATTR_DEPTH} deep`,
      `deeper nesting`,
    );
  if (Array.isArray(value))
    return value.map((item, i) => decodeAttr(item, exprs, `${path}[${i}]`, depth + 1));
  if (typeof value !== 'object') throw jsonError(path, 'an attribute value', value);
  if (isTaggedNumber(value)) return numberFromJSON(value, path);
  if ('$expr' in value) return lookup(exprs, value.$expr, `${path}.$expr`);
  if ('$record' in value) return decodeRecord(value.$record, exprs, `${path}.$record`, depth + 1);
  if ('$dim' in value) {
    const dim = value.$dim as { name?: unknown; max?: unknown } | null;
    if (typeof dim?.name !== 'string' || typeof dim.max !== 'number')
      throw jsonError(`${path}.$dim`, '{ name, max }', dim);
    try {
      return symbolicDim(dim.name, { max: dim.max });
    } catch (error) {
      throw jsonError(`${path}.$dim`, 'a valid symbolic dim', (error as Error).message);
    }
  }
  throw jsonError(path, 'a tagged value ($expr, $dim, $record or $number)', value);
}

function lookup<T>(items: readonly T[], id: unknown, path: string): T {
  const item = typeof id === 'number' ? items[id] : undefined;
  if (item === undefined) throw jsonError(path, `an index below ${items.length}`, id);
  return item;
}

function parseText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw jsonError('$', 'valid JSON text', (error as Error).message);
  }
}
