import { formatDim, type SymbolicDim } from '../dim.js';
import { Expr } from '../expr/expr.js';
import { formatExpr } from '../expr/format-expr.js';
import { type Graph, graphNodes } from '../graph/graph.js';
import type { AttrValue, Node } from '../graph/node.js';
import { formatShape } from '../shape.js';
import { nodeNames } from './node-names.js';

/**
 * A stable, readable SSA-like text form of a graph, one node per line in topological order, then
 * the named outputs:
 *
 * ```text
 * %0 = input "x" : f32[seq<=128, 64]
 * %1 = reduce.mean(%0) {axes=[1], keepDims=true} : f32[seq<=128, 1]
 * %2 = binary.sub(%0, %1) : f32[seq<=128, 64]
 * return y=%2
 * ```
 *
 * Ops with a function attribute print it after a dot (`unary.exp`, `reduce.sum`); sources print
 * their name or value; other attributes follow in braces, sorted by key.
 *
 * @example
 * ```ts
 * console.log(formatGraph(makeGraph({ y: reduce('sum', input('x', [4, 8]), 1) })));
 * ```
 */
export function formatGraph(graph: Graph): string {
  const names = nodeNames(graph);
  const lines = graphNodes(graph).map((node) => `${names.get(node)!} = ${formatNode(node, names)}`);
  const outputs = Object.entries(graph.outputs).map(([name, node]) => `${name}=${names.get(node)!}`);
  return [...lines, `return ${outputs.join(', ')}`].join('\n');
}

/** One node's right-hand side: `binary.add(%1, %2) : f32[seq<=128, 64]`, with operands named by `names`. */
export function formatNode(node: Node, names: ReadonlyMap<Node, string>): string {
  return `${formatOperation(node, names)} : ${formatType(node)}`;
}

/** A node's type: `f32[seq<=128, 64]`. */
export function formatType(node: Node): string {
  return `${node.dtype}${formatShape(node.shape)}`;
}

// ---------------------------------------------------------------------------------------------
// Implementation

/** Attributes already shown by the head of the line (or by the type). */
const SHOWN: Readonly<Record<string, readonly string[]>> = {
  input: ['name', 'shape', 'dtype'],
  param: ['name', 'shape', 'dtype'],
  constant: ['value', 'shape', 'dtype'],
  literal: ['values', 'shape', 'dtype'],
  cast: ['dtype'],
};

/** Longest literal printed in full; longer ones print their first values and a count. */
const LITERAL_PREVIEW = 8;

function formatOperation(node: Node, names: ReadonlyMap<Node, string>): string {
  const fn = typeof node.attrs.fn === 'string' ? node.attrs.fn : undefined;
  const shown = new Set([...(SHOWN[node.op] ?? []), ...(fn === undefined ? [] : ['fn'])]);
  const rest = Object.keys(node.attrs)
    .filter((key) => !shown.has(key))
    .sort()
    .map((key) => `${key}=${formatAttr(node.attrs[key]!)}`);
  const attrs = rest.length > 0 ? ` {${rest.join(', ')}}` : '';
  switch (node.op) {
    case 'input':
    case 'param':
      return `${node.op} ${JSON.stringify(node.attrs.name)}${attrs}`;
    case 'constant':
      return `constant ${formatNumber(node.attrs.value as number)}${attrs}`;
    case 'literal':
      return `literal ${formatValues(node.attrs.values as readonly number[])}${attrs}`;
    default: {
      const head = fn === undefined ? node.op : `${node.op}.${fn}`;
      const operands = node.inputs.map((operand) => names.get(operand) ?? '%?').join(', ');
      return `${head}(${operands})${attrs}`;
    }
  }
}

function formatAttr(value: AttrValue): string {
  if (value instanceof Expr) return formatExpr(value);
  if (Array.isArray(value)) return `[${value.map(formatAttr).join(', ')}]`;
  if (typeof value === 'number') return formatNumber(value);
  if (value !== null && typeof value === 'object') {
    if ((value as Partial<SymbolicDim>).kind === 'symbolic') return formatDim(value as SymbolicDim);
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${key}=${formatAttr((value as Record<string, AttrValue>)[key]!)}`);
    return `{${entries.join(', ')}}`;
  }
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function formatValues(values: readonly number[]): string {
  const shown = values.slice(0, LITERAL_PREVIEW).map(formatNumber);
  if (values.length > LITERAL_PREVIEW) shown.push(`… ${values.length} values`);
  return `[${shown.join(', ')}]`;
}

function formatNumber(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}
