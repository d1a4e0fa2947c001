import { input, interpret, makeGraph, type Node, SpecError, topoSort } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { denseSoftNystrom } from '../../test/dense-soft-nystrom.js';
import { seeded, seededInRange } from '../catalog/seeded-values.js';
import { newtonSchulzInverse } from './newton-schulz-inverse.js';
import { softNystromAttention } from './soft-nystrom-attention.js';

describe('softNystromAttention', () => {
  it('gives [batch, heads, N, dv] and an [m, m] inverse per head', () => {
    const { output, pseudoInverse } = softNystromAttention(
      input('q', [2, 3, 24, 8]),
      input('v', [2, 3, 24, 5]),
      {
        grid: [4, 6],
        ratio: 2,
      },
    );
    expect(output.shape).toEqual([2, 3, 24, 5]);
    expect(pseudoInverse.shape).toEqual([2, 3, 6, 6]);
  });

  it('names the block, the grid and the ratio in its errors', () => {
    const q = input('q', [1, 2, 36, 16]);
    const v = input('v', [1, 2, 36, 16]);
    expect(() => softNystromAttention(q, v, { grid: [5, 6], ratio: 2, name: 'blocks.0.soft' })).toThrow(
      /blocks\.0\.soft.*height·width/,
    );
    expect(() => softNystromAttention(q, v, { grid: [6, 6], ratio: 4 })).toThrow(SpecError);
    expect(() => softNystromAttention(q, v, { grid: [6, 6], ratio: 1 })).toThrow(/ratio/);
  });
});

describe('softNystromAttention with the depthwise convolution of V, float64', () => {
  const HEADS = 2;
  const GRID = [4, 6] as const;
  const DIM = 8;
  const count = HEADS * 24 * DIM;
  const values = (kernelSize: number) => ({
    q: seeded(count, 11),
    v: seeded(count, 12),
    'soft.landmarkConv.weight': seeded(DIM * DIM * 4, 13).map((w) => w / 4),
    'soft.landmarkNorm.gamma': seededInRange(DIM, 14, 0.3, 0.6),
    'soft.landmarkNorm.beta': seeded(DIM, 15).map((b) => b / 10),
    'soft.valueConv.weight': seeded(HEADS * kernelSize * kernelSize, 16).map((w) => w / 10),
  });
  const run = (kernelSize: number) => {
    const shape = [1, HEADS, 24, DIM];
    const { output } = softNystromAttention(input('q', shape), input('v', shape), {
      grid: GRID,
      ratio: 2,
      valueConv: kernelSize,
    });
    const { q, v, ...params } = values(kernelSize);
    return interpret(makeGraph({ output }), { inputs: { q, v }, params }).output!.data;
  };
  const dense = (kernelSize: number, valueConv = kernelSize) =>
    denseSoftNystrom(values(kernelSize), {
      heads: HEADS,
      grid: GRID,
      dim: DIM,
      ratio: 2,
      regularization: 0.01,
      valueConv,
    }).output;

  // 20 Newton–Schulz steps vs Gauss–Jordan: the same bound as the device test's float64 check.
  for (const kernelSize of [0, 1, 3, 5]) {
    it(`k = ${kernelSize} on a 4×6 grid matches the dense formula`, () => {
      expect(relativeError(run(kernelSize), dense(kernelSize))).toBeLessThan(1e-10);
    });
  }

  it('the convolution is not negligible: leaving it out of the dense formula misses by > 1%', () => {
    expect(relativeError(run(3), dense(3, 0))).toBeGreaterThan(1e-2);
  });

  it('defaults to k = 3 and rejects an even kernel size', () => {
    const q = input('q', [1, 2, 36, 16]);
    const v = input('v', [1, 2, 36, 16]);
    const parameters = (node: Node) =>
      topoSort([node])
        .filter((n) => n.op === 'param')
        .map((n) => [n.attrs.name, n.shape]);
    expect(parameters(softNystromAttention(q, v, { grid: [6, 6], ratio: 2 }).output)).toContainEqual([
      'soft.valueConv.weight',
      [2, 1, 3, 3],
    ]);
    expect(() => softNystromAttention(q, v, { grid: [6, 6], ratio: 2, valueConv: 2 })).toThrow(/valueConv/);
  });
});

describe('newtonSchulzInverse', () => {
  it('rejects a non-square matrix and a non-positive iteration count', () => {
    expect(() => newtonSchulzInverse(input('b', [2, 3, 4]))).toThrow(/\[\.\.\., m, m\]/);
    expect(() => newtonSchulzInverse(input('b', [3, 3]), { iterations: 0 })).toThrow(/iterations/);
  });
});
