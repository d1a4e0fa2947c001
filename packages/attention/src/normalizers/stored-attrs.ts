import { Expr, SpecError } from '@weft/ir';
import type { NormalizerAttrs } from './normalizer-def.js';

/** The form of one stored normalizer attribute: a kind, or the values it may take. */
export type StoredField =
  | 'expr'
  | 'expr or null'
  | 'number'
  | 'integer'
  | 'string'
  | readonly (string | number)[];

const isForm = (value: unknown, form: StoredField): boolean => {
  if (Array.isArray(form)) return form.includes(value as string | number);
  switch (form) {
    case 'expr':
      return value instanceof Expr;
    case 'expr or null':
      return value === null || value instanceof Expr;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return Number.isInteger(value);
    default:
      return typeof value === 'string';
  }
};

/**
 * Checks the stored attributes of a normalizer against the forms of its fields (`optional`: fields
 * that may be absent) and returns them typed; a mismatch names the block, the normalizer and the
 * attribute (a graph read from a file, or attributes written by hand).
 */
export function checkStoredAttrs<A extends NormalizerAttrs>(
  stored: NormalizerAttrs,
  block: string,
  fields: Readonly<Record<string, StoredField>>,
  optional: readonly string[] = [],
): A {
  const values = stored as unknown as Readonly<Record<string, unknown>>;
  for (const [key, form] of Object.entries(fields)) {
    const value = values[key];
    if (value === undefined && optional.includes(key)) continue;
    if (!isForm(value, form))
      throw new SpecError(`attention "${block}": ${stored.name} attribute "${key}" is invalid`, {
        block,
        expected: Array.isArray(form) ? form.map((option) => JSON.stringify(option)).join(' | ') : form,
        actual: value === undefined ? 'nothing' : value instanceof Expr ? 'an Expr' : String(value),
      });
  }
  return stored as A;
}
