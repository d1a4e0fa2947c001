import { interpret } from '@weft/ir';
import { UsageError } from '@weft/zoo/cli';
import { describe, expect, it } from 'vitest';
import { staysFlat } from '../soak/resource-sampler.js';
import { attentionRecipe } from './attention-recipe.js';
import { cpuF32Error } from './f32-rule.js';
import { parseFuzzOptions } from './fuzz-options.js';
import { caseSeed, Prng } from './prng.js';
import { buildCase, deviceRecipe, normwiseError, worstError } from './run-device-case.js';

describe('fuzz helpers', () => {
  it('draws the same recipe from the same seed, and different ones from different seeds', () => {
    expect(attentionRecipe(caseSeed(1, 3))).toEqual(attentionRecipe(caseSeed(1, 3)));
    expect(caseSeed(1, 3)).not.toBe(caseSeed(1, 4));
    expect(caseSeed(1, 3)).not.toBe(caseSeed(2, 3));
    const kinds = new Set(Array.from({ length: 60 }, (_, i) => deviceRecipe(caseSeed(5, i)).kind));
    expect(kinds).toEqual(new Set(['attention', 'norm', 'model']));
  });

  it('judges by several f32 rounding samples: one sample understates an ill-conditioned row', () => {
    // ReLU² of an ℓ2-normalized score that cancels to ~3e-4 of its terms (fuzz seed 2655037685):
    // the f32 evaluation on the given inputs is 3.2e-6 off, the same formula on inputs one unit
    // roundoff away up to 4e-5, so a kernel 1.45e-5 off is as accurate as f32 allows.
    const built = buildCase(attentionRecipe(2655037685));
    const expected = interpret(built.graph, { inputs: built.inputs, params: built.params, dims: built.dims });
    const single = worstError(
      interpret(built.graph, {
        inputs: built.inputs,
        params: built.params,
        dims: built.dims,
        precision: 'f32',
      }),
      expected,
    );
    const sampled = cpuF32Error(built, expected, 2655037685, worstError);
    expect(single).toBeLessThan(1e-5);
    expect(sampled).toBeGreaterThan(2 * single);
    expect(sampled).toBeGreaterThan(1.45e-5 / 2);
    expect(cpuF32Error(built, expected, 2655037685, worstError)).toBe(sampled);
  });

  it('draws values that are never zero', () => {
    const values = new Prng(9).signed(10_000);
    expect(values.every((value) => Math.abs(value) >= 0.1 && Math.abs(value) <= 1)).toBe(true);
  });

  it('measures the normwise relative error, with NaN and Inf where the reference is finite as infinite', () => {
    expect(normwiseError([1, 2.002], [1, 2])).toBeCloseTo(0.001, 12);
    expect(normwiseError([0, 0], [0, 0])).toBe(0);
    expect(normwiseError([Number.NaN, 1], [0, 1])).toBe(Number.POSITIVE_INFINITY);
    expect(normwiseError([Number.NEGATIVE_INFINITY, 1], [Number.NEGATIVE_INFINITY, 1])).toBe(0);
    expect(normwiseError([0, 1], [Number.NEGATIVE_INFINITY, 1])).toBe(Number.POSITIVE_INFINITY);
    expect(normwiseError([1], [1, 2])).toBe(Number.POSITIVE_INFINITY);
  });

  it('parses the command line', () => {
    expect(
      parseFuzzOptions(['--cases', '5', '--seed', '7', '--only', 'norm', '--json', 'x.json']),
    ).toMatchObject({
      cases: 5,
      seed: 7,
      only: 'norm',
      json: 'x.json',
    });
    expect(() => parseFuzzOptions(['--cases', '-1'])).toThrow(UsageError);
    expect(() => parseFuzzOptions(['--only', 'everything'])).toThrow(UsageError);
    expect(() => parseFuzzOptions(['--bogus'])).toThrow(UsageError);
  });

  it('calls a figure flat when it grew by at most 10%', () => {
    expect(staysFlat(100, 110)).toBe(true);
    expect(staysFlat(100, 111)).toBe(false);
    expect(staysFlat(0, 0)).toBe(true);
  });
});
