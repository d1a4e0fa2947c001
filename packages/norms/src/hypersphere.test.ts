import { input, makeGraph } from '@weft/ir';
import { afterAll, describe, it } from 'vitest';
import { hypersphereNormalize, sphericalResidual } from './index.js';
import { expectMatches, printWorstErrors, rowShapes, run, values } from './test-support/cases.js';
import { l2NormReference } from './test-support/reference-norms.js';

afterAll(() => printWorstErrors('nGPT hypersphere: interpreter vs float64 JS (normwise relative error)'));

/** `x / ‖x‖₂` per row of length `d`, as nGPT's `justnorm` (no ε). */
const justnorm = (data: Float64Array, d: number): Float64Array =>
  l2NormReference({ shape: [data.length / d, d], data }, 0);

describe('nGPT hypersphere normalization vs the float64 formula', () => {
  it.each(rowShapes(17))('normalizes rows of %j to unit length', (rows, length) => {
    const shape = [rows!, length!];
    const h = values(shape, rows! * 37 + length!);
    expectMatches(
      'nGPT normalize',
      run(makeGraph({ y: hypersphereNormalize(input('h', shape)) }), { h }).data,
      justnorm(h, length!),
    );
  });

  it.each(rowShapes(18))('spherical residual over %j with |α| and a reparametrized step', (rows, length) => {
    const shape = [rows!, length!];
    const h = values(shape, rows! * 41 + length!);
    const update = values(shape, rows! * 43 + length!, { min: -5, max: 5 });
    const alpha = values([length!], 44);
    const alphaScale = 0.05 * Math.sqrt(length!);
    const graph = makeGraph({
      y: sphericalResidual(input('h', shape), input('update', shape), { name: 'res', alphaScale }),
    });
    const y = run(graph, { h, update }, { 'res.alpha': alpha });
    const a = justnorm(h, length!);
    const b = justnorm(update, length!);
    const mixed = a.map((v, i) => v + Math.abs(alpha[i % length!]!) * alphaScale * (b[i]! - v));
    expectMatches('nGPT spherical residual', y.data, justnorm(mixed, length!));
  });
});
