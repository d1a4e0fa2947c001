import type { Dim, SymbolicDim } from '../dim.js';
import { SpecError } from '../errors.js';
import { Expr } from '../expr/expr.js';
import type { Attrs, AttrValue } from '../graph/node.js';
import type { OpContext } from './op-table.js';

/** Reads a finite-or-infinite number attribute (NaN allowed only where `allowNaN`). */
export function numberAttr(attrs: Attrs, key: string, context: OpContext): number {
  const value = attrs[key];
  if (typeof value !== 'number') throw attrError(context, key, 'a number', value);
  return value;
}

/** Reads an integer attribute, optionally bounded below. */
export function integerAttr(attrs: Attrs, key: string, context: OpContext, minimum = -Infinity): number {
  const value = attrs[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
    throw attrError(context, key, minimum === -Infinity ? 'an integer' : `an integer >= ${minimum}`, value);
  }
  return value;
}

/** Reads an array-of-integers attribute, optionally of a given length. */
export function integersAttr(attrs: Attrs, key: string, context: OpContext, length?: number): number[] {
  const value = attrs[key];
  const expected = length === undefined ? 'an integer array' : `an integer array of length ${length}`;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'number' && Number.isInteger(item))) {
    throw attrError(context, key, expected, value);
  }
  if (length !== undefined && value.length !== length) throw attrError(context, key, expected, value);
  return value as number[];
}

/** Reads an array-of-numbers attribute. */
export function numbersAttr(attrs: Attrs, key: string, context: OpContext): number[] {
  const value = attrs[key];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'number')) {
    throw attrError(context, key, 'a number array', value);
  }
  return value as number[];
}

/** Reads a boolean attribute (absent means `fallback`). */
export function booleanAttr(attrs: Attrs, key: string, context: OpContext, fallback = false): boolean {
  const value = attrs[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw attrError(context, key, 'a boolean', value);
  return value;
}

/** Reads a string attribute restricted to `allowed` values. */
export function choiceAttr<const T extends string>(
  attrs: Attrs,
  key: string,
  allowed: readonly T[],
  context: OpContext,
): T {
  const value = attrs[key];
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw attrError(context, key, `one of ${allowed.join(', ')}`, value);
  }
  return value as T;
}

/** Reads a non-empty string attribute. */
export function stringAttr(attrs: Attrs, key: string, context: OpContext): string {
  const value = attrs[key];
  if (typeof value !== 'string' || value.length === 0)
    throw attrError(context, key, 'a non-empty string', value);
  return value;
}

/** Reads a shape attribute: static sizes (integers >= 1) and symbolic dims. */
export function dimsAttr(attrs: Attrs, key: string, context: OpContext): Dim[] {
  const value = attrs[key];
  if (!Array.isArray(value) || !value.every(isDimValue)) {
    throw attrError(context, key, 'an array of dims (integers >= 1 or symbolic dims)', value);
  }
  return value as Dim[];
}

/** Reads an Expr attribute. */
export function exprAttr(attrs: Attrs, key: string, context: OpContext): Expr {
  const value = attrs[key];
  if (!(value instanceof Expr)) throw attrError(context, key, 'an Expr', value);
  return value;
}

/** The SpecError thrown for a malformed attribute, naming op and attribute. */
export function attrError(context: OpContext, key: string, expected: string, actual: unknown): SpecError {
  return new SpecError(`op "${context.op}": attribute "${key}" is invalid`, {
    ...(context.block === undefined ? {} : { block: context.block }),
    expected,
    actual: actual === undefined ? 'nothing' : actual,
  });
}

function isDimValue(value: AttrValue): boolean {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 1;
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Expr)
    return false;
  const dim = value as Partial<SymbolicDim>;
  return dim.kind === 'symbolic' && typeof dim.name === 'string' && typeof dim.max === 'number';
}
