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

/**
 * 64-bit FNV-1a over UTF-16 code units, as 16 hex digits: fast, stable across runs and platforms.
 * The state is four 16-bit limbs (low first) so that every step is float-exact integer arithmetic:
 * the prime is 2⁴⁰ + 0x1b3, so `hash × prime` is `hash × 0x1b3 + (hash << 40)` with carries.
 */
export function fnv1a64(text: string): string {
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  for (let i = 0; i < text.length; i++) {
    h0 ^= text.charCodeAt(i);
    const t0 = h0 * 0x1b3;
    const t1 = h1 * 0x1b3 + (t0 >>> 16);
    const t2 = h2 * 0x1b3 + (h0 << 8) + (t1 >>> 16);
    const t3 = h3 * 0x1b3 + (h1 << 8) + (t2 >>> 16);
    h0 = t0 & 0xffff;
    h1 = t1 & 0xffff;
    h2 = t2 & 0xffff;
    h3 = t3 & 0xffff;
  }
  return hex4(h3) + hex4(h2) + hex4(h1) + hex4(h0);
}

function hex4(limb: number): string {
  return limb.toString(16).padStart(4, '0');
}
