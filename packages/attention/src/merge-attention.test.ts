import { input, interpret, makeGraph, ShapeError, SpecError } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { mergeCase } from '../test/merge-case.js';
import { mergeAttention } from './index.js';

/** float64 throughout: only the summation order differs from dense attention over all keys. */
const FLOAT64_TOLERANCE = 1e-12;

function mergedError(testCase: ReturnType<typeof mergeCase>) {
  const result = interpret(testCase.graph, { inputs: testCase.inputs });
  return {
    output: relativeError(result.output!.data, testCase.expected.output),
    logSumExp: relativeError(result.logSumExp!.data, testCase.expected.logSumExp),
  };
}

describe('mergeAttention (float64 interpreter) equals attention over all keys', () => {
  const seed = 1 + Math.floor(Math.random() * 1e6);
  it('keys split in 2 parts', () => {
    const error = mergedError(mergeCase({ queries: 5, keys: 23, cuts: [9] }, seed));
    expect(error.output).toBeLessThan(FLOAT64_TOLERANCE);
    expect(error.logSumExp).toBeLessThan(FLOAT64_TOLERANCE);
  });
  it('keys split in 3 unequal parts', () => {
    const error = mergedError(mergeCase({ queries: 6, keys: 31, cuts: [4, 19] }, seed + 10));
    expect(error.output).toBeLessThan(FLOAT64_TOLERANCE);
    expect(error.logSumExp).toBeLessThan(FLOAT64_TOLERANCE);
  });
  it('split prefill: cached keys (bidirectional) + the new chunk (causal) = causal over all keys', () => {
    const error = mergedError(mergeCase({ queries: 7, keys: 20, splitPrefill: true }, seed + 20));
    expect(error.output).toBeLessThan(FLOAT64_TOLERANCE);
    expect(error.logSumExp).toBeLessThan(FLOAT64_TOLERANCE);
  });
  it('a part with no kept key (lse −∞) adds nothing; all parts empty give O = 0, lse = −∞', () => {
    const output = (name: string) => input(name, [1, 1, 2, 3]);
    const lse = (name: string) => input(name, [1, 1, 2]);
    const merged = mergeAttention([
      { output: output('o0'), logSumExp: lse('l0') },
      { output: output('o1'), logSumExp: lse('l1') },
    ]);
    const tensor = (shape: number[], values: number[]) => ({
      shape,
      dtype: 'f32' as const,
      data: Float64Array.from(values),
    });
    const result = interpret(makeGraph({ output: merged.output, logSumExp: merged.logSumExp }), {
      inputs: {
        o0: tensor([1, 1, 2, 3], [0.5, -1, 2, 0, 0, 0]),
        l0: tensor([1, 1, 2], [1.25, -Infinity]),
        o1: tensor([1, 1, 2, 3], [0, 0, 0, 0, 0, 0]),
        l1: tensor([1, 1, 2], [-Infinity, -Infinity]),
      },
    });
    expect(Array.from(result.output!.data)).toEqual([0.5, -1, 2, 0, 0, 0]);
    expect(Array.from(result.logSumExp!.data)).toEqual([1.25, -Infinity]);
  });
  it('names the partial whose shape differs; refuses an empty list', () => {
    const good = { output: input('o0', [1, 2, 3, 4]), logSumExp: input('l0', [1, 2, 3]) };
    expect(() => mergeAttention([])).toThrow(SpecError);
    expect(() =>
      mergeAttention([good, { output: input('o1', [1, 2, 3, 5]), logSumExp: input('l1', [1, 2, 3]) }]),
    ).toThrow(/partial 1 output/);
    expect(() =>
      mergeAttention([good, { output: input('o2', [1, 2, 3, 4]), logSumExp: input('l2', [1, 2, 4]) }]),
    ).toThrow(ShapeError);
  });
});
