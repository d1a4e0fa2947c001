import { type AttentionSpec, and, type Mask } from '@weft/attention';
import { SpecError } from '@weft/ir';
import {
  attentionOptionsOf,
  type BlockAttention,
  isAttentionSpec,
  SELF_ATTENTION_PART_KEYS,
  type SelfAttentionParts,
} from '../blocks/attention-part.js';
import { checkExactOptions } from '../blocks/exact-options.js';

/**
 * Checks that each of `keys` of `definition` is a positive integer (or absent when optional);
 * the `SpecError` names the architecture block and the option, e.g. `encoder: option "dModel"`.
 */
export function checkPositiveIntegers(
  block: string,
  definition: object,
  required: readonly string[],
  optional: readonly string[] = [],
): void {
  const given = definition as Record<string, unknown>;
  for (const key of [...required, ...optional]) {
    const value = given[key];
    if (value === undefined && optional.includes(key)) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new SpecError(`${block}: option "${key}" must be a positive integer`, {
        block,
        expected: 'integer >= 1',
        actual: value === undefined ? 'undefined' : String(value),
      });
    }
  }
}

/** Checks that `definition` is an object with only the `allowed` keys and every `required` one. */
export function checkDefinitionKeys(
  block: string,
  definition: unknown,
  allowed: readonly string[],
  required: readonly string[],
): void {
  checkExactOptions(block, block, definition, allowed);
  for (const key of required) {
    if ((definition as Record<string, unknown>)[key] === undefined) {
      throw new SpecError(`${block}: option "${key}" is missing`, { block, expected: key });
    }
  }
}

/**
 * A block attention slot as options, with `extra` merged in: a spec value becomes its options,
 * an options object is checked exactly (naming `block` and the key). `masks` are combined by `and`
 * after the slot's own mask.
 */
export function attentionWith(
  attention: BlockAttention,
  block: string,
  extra: Partial<SelfAttentionParts>,
  masks: readonly Mask[] = [],
): SelfAttentionParts {
  let parts: SelfAttentionParts;
  if (isAttentionSpec(attention)) {
    parts = attentionOptionsOf(attention as AttentionSpec, block);
  } else {
    checkExactOptions(block, block, attention, SELF_ATTENTION_PART_KEYS, 'attention');
    parts = attention;
  }
  const own = parts.mask === undefined ? [] : [parts.mask];
  const all = [...own, ...masks];
  const { mask: _mask, ...rest } = parts;
  return {
    ...rest,
    ...extra,
    ...(all.length === 0 ? {} : { mask: all.length === 1 ? all[0]! : and(...all) }),
  };
}
