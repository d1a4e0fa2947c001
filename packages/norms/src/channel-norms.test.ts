import { input, makeGraph } from '@weft/ir';
import { afterAll, describe, it } from 'vitest';
import { batchNorm, groupNorm, instanceNorm } from './index.js';
import { expectMatches, printWorstErrors, run, values } from './test-support/cases.js';
import {
  batchNormReference,
  groupNormReference,
  instanceNormReference,
} from './test-support/reference-norms.js';

afterAll(() => printWorstErrors('channel norms: interpreter vs float64 JS (normwise relative error)'));

/** Repeats per-channel values over the batch: the reference's per-(b, c) affine layout. */
const perSample = (perChannel: ArrayLike<number>, batch: number): Float64Array =>
  Float64Array.from({ length: batch * perChannel.length }, (_, i) => perChannel[i % perChannel.length]!);

describe('GroupNorm vs the float64 formula', () => {
  it.each([
    { shape: [2, 6, 5, 3], groups: 3 },
    { shape: [1, 8, 7], groups: 8 },
    { shape: [3, 4, 1, 1], groups: 2 },
    { shape: [2, 10, 9], groups: 1 },
  ])('$shape in $groups groups', ({ shape, groups }) => {
    const x = values(shape, shape.length * 7 + groups, { min: -2, max: 3 });
    const gamma = values([shape[1]!], 3);
    const beta = values([shape[1]!], 4);
    const y = run(
      makeGraph({ y: groupNorm(input('x', shape), { groups, name: 'gn' }) }),
      { x },
      { 'gn.gamma': gamma, 'gn.beta': beta },
    );
    expectMatches('GroupNorm', y.data, groupNormReference({ shape, data: x }, groups, 1e-5, gamma, beta));
  });
});

describe('InstanceNorm vs the float64 formula', () => {
  it.each([
    [2, 3, 5, 7],
    [1, 4, 1],
    [3, 2, 19],
    [2, 5, 1, 1],
  ])('without affine over %j', (...shape) => {
    const x = values(
      shape,
      shape.reduce((a, b) => a * 3 + b, 0),
    );
    expectMatches(
      'InstanceNorm',
      run(makeGraph({ y: instanceNorm(input('x', shape)) }), { x }).data,
      instanceNormReference({ shape, data: x }, 1e-5),
    );
  });

  it('with affine parameters', () => {
    const shape = [2, 4, 6, 5];
    const x = values(shape, 41);
    const gamma = values([4], 42);
    const beta = values([4], 43);
    const y = run(
      makeGraph({ y: instanceNorm(input('x', shape), { affine: true, name: 'in' }) }),
      { x },
      { 'in.gamma': gamma, 'in.beta': beta },
    );
    expectMatches(
      'InstanceNorm',
      y.data,
      instanceNormReference({ shape, data: x }, 1e-5, {
        scale: perSample(gamma, 2),
        shift: perSample(beta, 2),
      }),
    );
  });

  it.each(['f32', 'bool'] as const)(
    'with a %s mask over padded frames, including a fully padded instance',
    (maskType) => {
      const [batch, channels, frames] = [4, 3, 11];
      const lengths = [11, 6, 1, 0];
      const mask = Float64Array.from({ length: batch * frames }, (_, i) =>
        i % frames < lengths[Math.floor(i / frames)]! ? 1 : 0,
      );
      const x = values([batch, channels, frames], 44, { min: -5, max: 5 });
      const graph = makeGraph({
        y: instanceNorm(input('x', [batch, channels, frames]), {
          mask: input('mask', [batch, frames], maskType),
        }),
      });
      const y = run(graph, { x, mask });
      expectMatches(
        'InstanceNorm (masked)',
        y.data,
        instanceNormReference({ shape: [batch, channels, frames], data: x }, 1e-5, { mask }),
      );
    },
  );
});

describe('BatchNorm (inference) vs the float64 formula', () => {
  it.each([
    [2, 3, 4, 5],
    [5, 7],
    [1, 2, 9],
  ])('with running statistics over %j', (...shape) => {
    const channels = shape[1]!;
    const x = values(shape, 51 + shape.length);
    const params = {
      'bn.runningMean': values([channels], 52),
      'bn.runningVar': values([channels], 53, { min: 0.2, max: 2 }),
      'bn.gamma': values([channels], 54),
      'bn.beta': values([channels], 55),
    };
    const y = run(makeGraph({ y: batchNorm(input('x', shape), { name: 'bn' }) }), { x }, params);
    const expected = batchNormReference(
      { shape, data: x },
      params['bn.runningMean'],
      params['bn.runningVar'],
      1e-5,
      params['bn.gamma'],
      params['bn.beta'],
    );
    expectMatches('BatchNorm', y.data, expected);
  });
});
