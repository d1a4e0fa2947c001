import { Expr } from '../expr/expr.js';
import type { Attrs, AttrValue, Node, TensorType } from './node.js';

/** Stable structural hash of a node from its op, operand hashes, attributes and type. */
export function structuralHash(op: string, inputs: readonly Node[], attrs: Attrs, type: TensorType): string {
  const text = `${op}(${inputs.map((input) => input.hash).join(',')}){${canonicalAttrs(attrs)}}:${type.dtype}${JSON.stringify(type.shape)}`;
  return fnv1a64(text);
}

/** Canonical text of attributes: keys sorted, Exprs by their structural key. */
export function canonicalAttrs(attrs: Attrs): string {
  return Object.keys(attrs)
    .sort()
    .map((key) => `${key}=${canonicalValue(attrs[key]!)}`)
    .join(';');
}

function canonicalValue(value: AttrValue): string {
  if (value instanceof Expr) return `expr:${value.key}`;
  if (Array.isArray(value)) return `[${value.map(canonicalValue).join(',')}]`;
  if (value !== null && typeof value === 'object') return `{${canonicalAttrs(value as Attrs)}}`;
  // JSON would print NaN, ±Infinity as null and -0 as 0: distinct values must hash apart.
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  return JSON.stringify(value);
}

/** 64-bit FNV-1a over UTF-16 code units, as 16 hex digits: fast, stable across runs and platforms. */
export function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  const mask = 0xffffffffffffffffn;
  for (let i = 0; i < text.length; i++) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * prime) & mask;
  }
  return hash.toString(16).padStart(16, '0');
}
