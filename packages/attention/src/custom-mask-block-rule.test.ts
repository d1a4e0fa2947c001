import { SpecError } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { and, causal, checkBlockRule, chunked, customMask } from './index.js';

const WINDOW = 8;
/** Causal within windows of 8 positions, written by hand (as `and(causal(), chunked(8))`). */
const windowedCausal = (rule: 'right' | 'wrong') =>
  customMask(({ q, k }) => k.le(q).and(q.div(WINDOW).eq(k.div(WINDOW))), {
    description: 'windowedCausal',
    blockRule: ({ queryStart, queryEnd, keyStart, keyEnd }) => ({
      empty: keyStart
        .gt(queryEnd)
        .or(keyEnd.div(WINDOW).lt(queryStart.div(WINDOW)))
        .or(keyStart.div(WINDOW).gt(queryEnd.div(WINDOW))),
      // The wrong rule forgets the window: it calls blocks below the diagonal full.
      full:
        rule === 'right'
          ? keyEnd.le(queryStart).and(keyStart.div(WINDOW).eq(queryEnd.div(WINDOW)))
          : keyEnd.le(queryStart),
    }),
  });

const LENGTHS = { queries: 37, keys: 37 };
const TILINGS = [
  { query: 4, key: 4 },
  { query: 8, key: 8 },
  { query: 16, key: 16 },
  { query: 1, key: 32 },
];

describe('customMask with a block rule', () => {
  it('classifies blocks as the built-in composition does', () => {
    const custom = windowedCausal('right');
    const builtIn = and(causal(), chunked(WINDOW));
    for (const sizes of TILINGS) {
      for (let qb = 0; qb * sizes.query < LENGTHS.queries; qb++) {
        for (let kb = 0; kb * sizes.key < LENGTHS.keys; kb++) {
          const exhaustive = customMask(({ q, k }) => k.le(q).and(q.div(WINDOW).eq(k.div(WINDOW))));
          const claimed = custom.blockSparsity(qb, kb, sizes, LENGTHS);
          // The rule may say partial where the block is empty or full, never the opposite.
          if (claimed !== 'partial') expect(claimed).toBe(exhaustive.blockSparsity(qb, kb, sizes, LENGTHS));
          expect(claimed).toBe(builtIn.blockSparsity(qb, kb, sizes, LENGTHS));
        }
      }
    }
  });

  it('gives the kernel a rule to skip tiles with (the exhaustive form classifies on the host only)', () => {
    const classes = (mask: ReturnType<typeof customMask>) =>
      new Set(Array.from({ length: 5 }, (_, kb) => mask.blockSparsity(3, kb, { query: 4, key: 4 }, LENGTHS)));
    expect(classes(windowedCausal('right'))).toEqual(new Set(['empty', 'full', 'partial']));
    expect(classes(customMask(({ q, k }) => k.le(q).and(q.div(WINDOW).eq(k.div(WINDOW)))))).toEqual(
      new Set(['empty', 'full', 'partial']),
    );
    expect(windowedCausal('right').blockRule.empty.kind).not.toBe('constant');
  });

  it('checkBlockRule accepts a right rule and names the first block a wrong one misclassifies', () => {
    expect(() => checkBlockRule(windowedCausal('right'), LENGTHS, TILINGS)).not.toThrow();
    const check = () => checkBlockRule(windowedCausal('wrong'), LENGTHS, TILINGS);
    expect(check).toThrow(SpecError);
    expect(check).toThrow(/windowedCausal: the block rule is wrong/);
    try {
      check();
    } catch (error) {
      expect((error as SpecError).context).toMatchObject({
        expected: 'block (query 31, key 0) of 1×32 tiles is partial',
        actual: 'the rule says full',
      });
    }
  });

  it('rejects an unknown option, a rule that is not a function and a rule without bool Exprs', () => {
    expect(() => customMask(({ q, k }) => k.le(q), { blockrule: () => ({}) } as never)).toThrow(/blockrule/);
    expect(() => customMask(({ q, k }) => k.le(q), { blockRule: 3 } as never)).toThrow(
      /blockRule must be a function/,
    );
    expect(() =>
      customMask(({ q, k }) => k.le(q), {
        blockRule: ({ keyStart }) => ({ empty: keyStart, full: keyStart }) as never,
      }),
    ).toThrow(/blockRule\(\)\.empty must be a bool Expr/);
    expect(() =>
      customMask(({ q, k }) => k.le(q), { description: 'm', blockRule: (() => undefined) as never }),
    ).toThrow(/m: blockRule\(\)\.empty must return a bool Expr/);
  });

  it('keeps the description-string form', () => {
    expect(customMask(({ q, k }) => k.le(q), 'lower').description).toBe('lower');
  });
});
