import { input, makeGraph } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { groupNorm, instanceNorm, layerNorm, rmsNorm } from './index.js';
import { expectMatches, run, values } from './test-support/cases.js';
import {
  groupNormReference,
  instanceNormReference,
  layerNormReference,
  rmsNormReference,
} from './test-support/reference-norms.js';

/**
 * Rows whose mean dwarfs their spread: `E[x²] − μ²` loses about log10(μ²/σ²) = 8 digits here even
 * in float64 (relative error ~1e-8), so the 1e-10 tolerance catches a one-pass variance.
 */
const offsetRows = (shape: number[], seed: number): Float64Array => values(shape, seed).map((v) => 1e4 + v);

describe('numerics of the statistics', () => {
  it('a row of identical values normalizes to β (zero variance, no NaN)', () => {
    const x = new Float64Array(3 * 65).fill(3.7);
    const beta = values([65], 1);
    const y = run(
      makeGraph({ y: layerNorm(input('x', [3, 65]), { name: 'ln' }) }),
      { x },
      { 'ln.gamma': values([65], 2), 'ln.beta': beta },
    );
    // The float64 mean of 65 copies of 3.7 is off by an ulp or so, which 1/√ε scales to ~1e-13.
    expectMatches(
      'LayerNorm constant',
      y.data,
      Float64Array.from({ length: 3 * 65 }, (_, i) => beta[i % 65]!),
    );
  });

  it('an instance with one spatial position normalizes to 0', () => {
    const y = run(makeGraph({ y: instanceNorm(input('x', [2, 3, 1])) }), { x: values([2, 3, 1], 3) });
    expect(Array.from(y.data)).toEqual(new Array(6).fill(0));
  });

  it('LayerNorm of rows around 1e4 keeps full precision (two-pass variance)', () => {
    const shape = [4, 257];
    const x = offsetRows(shape, 4);
    expectMatches(
      'LayerNorm 1e4',
      run(makeGraph({ y: layerNorm(input('x', shape), { affine: false }) }), { x }).data,
      layerNormReference({ shape, data: x }, 1, 1e-5),
    );
  });

  it('GroupNorm and InstanceNorm of values around 1e4 keep full precision', () => {
    const shape = [2, 4, 9, 9];
    const x = offsetRows(shape, 5);
    const group = run(makeGraph({ y: groupNorm(input('x', shape), { groups: 2, affine: false }) }), { x });
    expectMatches('GroupNorm 1e4', group.data, groupNormReference({ shape, data: x }, 2, 1e-5));
    const instance = run(makeGraph({ y: instanceNorm(input('x', shape)) }), { x });
    expectMatches('InstanceNorm 1e4', instance.data, instanceNormReference({ shape, data: x }, 1e-5));
  });

  it('RMSNorm of values around 1e4 and of a constant row', () => {
    const shape = [3, 31];
    const x = offsetRows(shape, 6);
    expectMatches(
      'RMSNorm 1e4',
      run(makeGraph({ y: rmsNorm(input('x', shape), { gain: false }) }), { x }).data,
      rmsNormReference({ shape, data: x }, 1e-6, 'inside'),
    );
    const constant = new Float64Array(31).fill(-2);
    const y = run(makeGraph({ y: rmsNorm(input('x', [1, 31]), { gain: false }) }), { x: constant });
    expectMatches('RMSNorm constant', y.data, new Float64Array(31).fill(-2 / Math.sqrt(4 + 1e-6)));
  });
});
