import {
  concat,
  input,
  interpret,
  makeGraph,
  type Node,
  ShapeError,
  SpecError,
  slice,
  symbolicDim,
} from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { megaBlockValues } from '../../test/mega-block-values.js';
import { seeded } from '../catalog/seeded-values.js';
import { applyMegaBlock, type MegaBlockCache } from './mega-block.js';

// The block's decode against fixed cache slots (how a decoder holds its state between steps): the
// keys and values sit right-aligned in S slots, the last past + L holding the sequence, the rest
// garbage that the mask must hide. Each call appends by concatenating and dropping the oldest
// slots (a stand-in for a decoder's cache layout). A prefill then single steps must equal one
// causal call over the whole sequence, in float64, for softmax and laplace (whose n counts
// positions, not slots).
const [B, D, SLOTS, LENGTH, PROMPT] = [1, 6, 12, 9, 4];
const SIZES = { zDim: 4, hDim: 8, components: 3 };

const shiftIn = (slots: Node, fresh: Node) => {
  const length = fresh.shape[2] as number;
  const kept = slice(slots, [0, 0, length], [B, 1, SLOTS]);
  return concat([kept, fresh], 2);
};

function decode(attentionFunction: 'softmax' | 'laplace', attentionChunk?: number) {
  const options = {
    name: 'mega',
    ...SIZES,
    causal: true,
    maxPositions: SLOTS,
    attentionFunction,
    ...(attentionChunk === undefined ? {} : { attentionChunk }),
  } as const;
  const whole = applyMegaBlock(input('x', [B, LENGTH, D]), options).output;
  const values = megaBlockValues(makeGraph({ output: whole }), 7);
  const { x, ...params } = values;
  const expected = interpret(makeGraph({ output: whole }), { inputs: { x: x! }, params }).output!.data;

  let ema: ArrayLike<number> = new Float64Array(B * D * SIZES.components);
  // Garbage in the empty slots: the mask, not zeros, must keep them out.
  let keys: ArrayLike<number> = seeded(B * SLOTS * SIZES.zDim, 3);
  let vals: ArrayLike<number> = seeded(B * SLOTS * SIZES.hDim, 4);
  const rows: number[] = [];
  for (let start = 0; start < LENGTH; start = start === 0 ? PROMPT : start + 1) {
    const length = start === 0 ? PROMPT : 1;
    const fresh = input('x', [B, length, D]);
    const cache: MegaBlockCache = {
      ema: input('ema', [B, D, SIZES.components, 1]),
      keys: input('keys', [B, 1, SLOTS, SIZES.zDim]),
      values: input('values', [B, 1, SLOTS, SIZES.hDim]),
      past: input('past', [B], 'i32'),
      append: shiftIn,
    };
    const step = applyMegaBlock(fresh, { ...options, cache });
    const graph = makeGraph({
      output: step.output,
      ema: step.state!.ema,
      keys: step.state!.keys,
      values: step.state!.values,
    });
    const out = interpret(graph, {
      inputs: {
        x: x!.subarray(start * D, (start + length) * D),
        ema,
        keys,
        values: vals,
        past: Int32Array.of(start),
      },
      params,
    });
    rows.push(...out.output!.data);
    ({ ema, keys, values: vals } = { ema: out.ema!.data, keys: out.keys!.data, values: out.values!.data });
  }
  return relativeError(Float64Array.from(rows), expected);
}

describe("Mega's block against fixed cache slots, float64", () => {
  it.each(['softmax', 'laplace'] as const)('%s: prefill then steps = one causal call', (fn) => {
    expect(decode(fn)).toBeLessThan(1e-12);
  });

  it.each(['softmax', 'laplace'] as const)(
    '%s, attention chunks of 3: prefill then steps = one call',
    (fn) => {
      // Chunks of 3 over 9 positions, the prefill of 4 crossing a chunk boundary.
      expect(decode(fn, 3)).toBeLessThan(1e-12);
    },
  );

  it('takes a symbolic L with a cache', () => {
    const seq = symbolicDim('seq', { max: 8 });
    const cache: MegaBlockCache = {
      ema: input('ema', [B, D, SIZES.components, 1]),
      keys: input('keys', [B, 1, SLOTS, SIZES.zDim]),
      values: input('values', [B, 1, SLOTS, SIZES.hDim]),
      past: input('past', [B], 'i32'),
      append: (slots) => slots,
    };
    const { output } = applyMegaBlock(input('x', [B, seq, D]), {
      name: 'mega',
      ...SIZES,
      causal: true,
      maxPositions: SLOTS,
      cache,
    });
    expect(output.shape).toEqual([B, seq, D]);
  });

  it('refuses a cache without causal, beside a state, with a wrong past or too few positions', () => {
    const cache: MegaBlockCache = {
      ema: input('ema', [B, D, SIZES.components, 1]),
      keys: input('keys', [B, 1, SLOTS, SIZES.zDim]),
      values: input('values', [B, 1, SLOTS, SIZES.hDim]),
      past: input('past', [B], 'i32'),
      append: (slots) => slots,
    };
    const x = input('x', [B, 1, D]);
    const base = { name: 'mega', ...SIZES, maxPositions: SLOTS, cache };
    expect(() => applyMegaBlock(x, base)).toThrow(SpecError);
    expect(() => applyMegaBlock(x, base)).toThrow(/only a causal block carries a cache/);
    expect(() =>
      applyMegaBlock(x, {
        ...base,
        causal: true,
        state: { ema: cache.ema, keys: input('k', [B, 1, 3, 4]), values: input('v', [B, 1, 3, 8]) },
      }),
    ).toThrow(/the state or the cache, not both/);
    expect(() =>
      applyMegaBlock(x, { ...base, causal: true, cache: { ...cache, past: input('past', [B, 1], 'i32') } }),
    ).toThrow(ShapeError);
    expect(() => applyMegaBlock(x, { ...base, causal: true, maxPositions: SLOTS - 1 })).toThrow(
      /maxPositions >= its slots/,
    );
  });
});
