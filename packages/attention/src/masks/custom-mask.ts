import { type Expr, SpecError } from '@weft/ir';
import {
  type AttentionIndices,
  BLOCK_BOUNDS as B,
  ATTENTION_INDICES as I,
} from '../spec/attention-variables.js';
import { checkOptions, describeValue } from '../spec/validate.js';
import {
  type BlockQuery,
  type BlockSizes,
  type Mask,
  makeMask,
  type SequenceLengths,
  UNKNOWN_BLOCK_RULE,
} from './mask.js';

/** The bounds of a (query block, key block) pair and the attention indices, for a custom block rule. */
export type BlockRuleVariables = AttentionIndices & typeof B;

/** Options of {@link customMask}. */
export interface CustomMaskOptions {
  /** Short description for labels and errors (default `customMask`). */
  readonly description?: string;
  /**
   * The mask's block rule, written over the block bounds (`queryStart`, `queryEnd`, `keyStart`,
   * `keyEnd`, inclusive) and the indices `b`, `h`, the lengths: `empty` true when no pair of the
   * block is kept, `full` true when every pair is. With it the fused kernel skips empty key tiles and
   * drops the predicate on full ones, as for the built-in masks; without it every tile evaluates the
   * predicate. The rule is a claim the kernel trusts: check it with {@link checkBlockRule}.
   */
  readonly blockRule?: (bounds: BlockRuleVariables) => { readonly empty: Expr; readonly full: Expr };
}

/**
 * A custom mask from a bool Expr over the attention indices (it may read captured tensors). Without
 * a block rule its blocks are classified by evaluating it on every pair (cached) and the fused kernel
 * evaluates it on every pair of every block; with one (see {@link CustomMaskOptions.blockRule}) it
 * skips tiles like a built-in mask.
 *
 * @example
 * ```ts
 * customMask(({ q, k }) => q.sub(k).mod(3).eq(0)); // every third diagonal
 * // Causal within windows of 64, with its block rule: the kernel skips tiles of other windows.
 * customMask(({ q, k }) => k.le(q).and(q.div(64).eq(k.div(64))), {
 *   description: 'windowed causal',
 *   blockRule: ({ queryStart, queryEnd, keyStart, keyEnd }) => ({
 *     empty: keyStart.gt(queryEnd).or(keyEnd.div(64).lt(queryStart.div(64))).or(keyStart.div(64).gt(queryEnd.div(64))),
 *     full: keyEnd.le(queryStart).and(keyStart.div(64).eq(queryEnd.div(64))),
 *   }),
 * });
 * ```
 */
export function customMask(
  build: (indices: AttentionIndices) => Expr,
  options: string | CustomMaskOptions = {},
): Mask {
  if (typeof build !== 'function')
    throw new SpecError(`customMask: the predicate must be a function`, {
      actual: describeValue(build),
    });
  const { description = 'customMask', blockRule } =
    typeof options === 'string' ? { description: options } : (options ?? {});
  if (typeof options !== 'string') checkOptions('customMask', options ?? {}, ['description', 'blockRule']);
  if (typeof description !== 'string')
    throw new SpecError(`customMask: the description must be a string`, {
      actual: describeValue(description),
    });
  const predicate = boolExpr(build(I) as Expr | undefined, description, 'the mask function', 'k.le(q)');
  if (blockRule === undefined)
    return makeMask(description, predicate, UNKNOWN_BLOCK_RULE, { exhaustive: true });
  if (typeof blockRule !== 'function')
    throw new SpecError(`${description}: blockRule must be a function of the block bounds`, {
      actual: describeValue(blockRule),
    });
  const rule = blockRule({ ...I, ...B }) as { empty?: Expr; full?: Expr } | undefined;
  return makeMask(description, predicate, {
    empty: boolExpr(rule?.empty, description, 'blockRule().empty', 'keyStart.gt(queryEnd)'),
    full: boolExpr(rule?.full, description, 'blockRule().full', 'keyEnd.le(queryStart)'),
  });
}

function boolExpr(value: Expr | undefined, description: string, what: string, example: string): Expr {
  if (typeof value !== 'object' || value === null || !('dtype' in value) || !('kind' in value)) {
    throw new SpecError(`${description}: ${what} must return a bool Expr (a comparison)`, {
      expected: `a bool Expr, e.g. ${example}`,
      actual: value === undefined ? 'undefined (did the function forget to return?)' : typeof value,
    });
  }
  if (value.dtype !== 'bool') {
    throw new SpecError(`${description}: ${what} must be a bool Expr (a comparison)`, {
      expected: 'bool',
      actual: value.dtype,
    });
  }
  return value;
}

/**
 * Checks a mask's block rule against its predicate on every block of a tiling: a block the rule
 * calls `empty` must keep no pair, one it calls `full` must keep every pair. Throws a `SpecError`
 * naming the first block where the rule is wrong (the kernel would drop or admit pairs there).
 * Masks that read captured tensors are checked with `where.read`.
 *
 * @example
 * ```ts
 * const myMask = and(causal(), slidingWindow(40));
 * checkBlockRule(myMask, { queries: 100, keys: 130 }, [{ query: 16, key: 16 }, { query: 1, key: 64 }]);
 * ```
 */
export function checkBlockRule(
  mask: Mask,
  lengths: SequenceLengths,
  tilings: readonly BlockSizes[],
  where: BlockQuery = {},
): void {
  const exhaustive = makeMask(mask.description, mask.predicate, UNKNOWN_BLOCK_RULE, { exhaustive: true });
  for (const sizes of tilings) {
    for (let queryBlock = 0; queryBlock * sizes.query < lengths.queries; queryBlock++) {
      for (let keyBlock = 0; keyBlock * sizes.key < lengths.keys; keyBlock++) {
        const claimed = mask.blockSparsity(queryBlock, keyBlock, sizes, lengths, where);
        if (claimed === 'partial') continue;
        const actual = exhaustive.blockSparsity(queryBlock, keyBlock, sizes, lengths, where);
        if (actual !== claimed) {
          throw new SpecError(`${mask.description}: the block rule is wrong`, {
            expected: `block (query ${queryBlock}, key ${keyBlock}) of ${sizes.query}×${sizes.key} tiles is ${actual}`,
            actual: `the rule says ${claimed}`,
          });
        }
      }
    }
  }
}
