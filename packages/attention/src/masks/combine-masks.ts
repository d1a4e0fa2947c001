import { SpecError } from '@weft/ir';
import { checkPart } from '../spec/validate.js';
import { type Mask, makeMask } from './mask.js';

/**
 * Keeps a pair when every mask keeps it. Block rule: empty if any part is empty, full if all are full.
 *
 * @example
 * ```ts
 * attention({ heads: 8, headDim: 64, mask: and(causal(), slidingWindow(512)) });
 * ```
 */
export function and(...masks: readonly Mask[]): Mask {
  const [first, ...rest] = requireMasks('and', masks);
  if (rest.length === 0) return first;
  const parts = [first, ...rest];
  return makeMask(
    `and(${parts.map((mask) => mask.description).join(', ')})`,
    rest.reduce((predicate, mask) => predicate.and(mask.predicate), first.predicate),
    {
      empty: rest.reduce((rule, mask) => rule.or(mask.blockRule.empty), first.blockRule.empty),
      full: rest.reduce((rule, mask) => rule.and(mask.blockRule.full), first.blockRule.full),
    },
    { parts },
  );
}

/**
 * Keeps a pair when any mask keeps it. Block rule: empty if all parts are empty, full if any is full.
 *
 * @example
 * ```ts
 * const allowed = tensorRef('allowed', [512, 512], 'bool'); // extra [queries, keys] pairs
 * attention({ heads: 8, headDim: 64, mask: or(slidingWindow(128), maskFrom(allowed)) });
 * ```
 */
export function or(...masks: readonly Mask[]): Mask {
  const [first, ...rest] = requireMasks('or', masks);
  if (rest.length === 0) return first;
  const parts = [first, ...rest];
  return makeMask(
    `or(${parts.map((mask) => mask.description).join(', ')})`,
    rest.reduce((predicate, mask) => predicate.or(mask.predicate), first.predicate),
    {
      empty: rest.reduce((rule, mask) => rule.and(mask.blockRule.empty), first.blockRule.empty),
      full: rest.reduce((rule, mask) => rule.or(mask.blockRule.full), first.blockRule.full),
    },
    { parts },
  );
}

/**
 * Keeps exactly the pairs `mask` drops. Block rule: empty where `mask` is full, full where it is empty.
 *
 * @example
 * ```ts
 * attention({ heads: 8, headDim: 64, mask: and(causal(), not(slidingWindow(4))) }); // only keys at least 4 positions back
 * ```
 */
export function not(mask: Mask): Mask {
  checkPart<Mask>('not', 'the mask', mask, 'mask', 'a mask factory (causal, slidingWindow, ...)');
  return makeMask(
    `not(${mask.description})`,
    mask.predicate.not(),
    { empty: mask.blockRule.full, full: mask.blockRule.empty },
    { parts: [mask] },
  );
}

function requireMasks(name: string, masks: readonly Mask[]): [Mask, ...Mask[]] {
  if (masks.length === 0)
    throw new SpecError(`${name}() combines masks`, { expected: 'one or more masks', actual: masks.length });
  masks.forEach((mask, index) => {
    checkPart<Mask>(name, `mask ${index + 1}`, mask, 'mask', 'a mask factory (causal, slidingWindow, ...)');
  });
  return masks as [Mask, ...Mask[]];
}
