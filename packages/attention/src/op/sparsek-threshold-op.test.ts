import { graphFromJSON, graphToJSON, input, interpret, makeGraph, ShapeError, SpecError } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { sparseKThreshold as denseThreshold } from '../../test/dense-sparsek.js';
import { seededInRange } from '../catalog/seeded-values.js';
import { sparseKThreshold, sparseKThresholdOp, sparseKThresholdRow } from './sparsek-threshold-op.js';

const mass = (z: readonly number[], tau: number) =>
  z.reduce((s, value) => s + Math.min(1, Math.max(0, value - tau)), 0);
const clips = (z: readonly number[], tau: number) => z.map((value) => Math.min(1, Math.max(0, value - tau)));

describe('sparseKThreshold (#86), float64', () => {
  it('puts mass k on every prefix longer than k and equals the breakpoint formula written from the paper', () => {
    const u = Array.from(seededInRange(80, 7, -3, 3));
    for (const k of [1, 3, 12]) {
      for (let i = k; i < u.length; i++) {
        const z = u.slice(0, i + 1);
        const tau = sparseKThresholdRow(z, k);
        expect(mass(z, tau)).toBeCloseTo(k, 12);
        // τ may differ inside a flat segment of the mass; the SparseK weights do not.
        const expected = clips(z, denseThreshold(z, k));
        for (const [j, m] of clips(z, tau).entries()) expect(m).toBeCloseTo(expected[j]!, 12);
      }
    }
  });

  it('gives min − 1 (every weight 1) to a prefix of at most k keys, and handles ties', () => {
    expect(sparseKThresholdRow([0.5, 2, -1], 3)).toBe(-2);
    expect(sparseKThresholdRow([0.5], 4)).toBe(-0.5);
    // Four equal scores, k = 2: each weight 1/2.
    const tau = sparseKThresholdRow([1, 1, 1, 1], 2);
    expect(clips([1, 1, 1, 1], tau)).toEqual([0.5, 0.5, 0.5, 0.5]);
    // A gap wider than 1 after the top two: k = 2 keeps them whole.
    expect(clips([5, 4.5, 1, 0], sparseKThresholdRow([5, 4.5, 1, 0], 2))).toEqual([1, 1, 0, 0]);
  });

  it('the op thresholds each causal prefix of the last axis, and survives JSON', () => {
    const values = seededInRange(2 * 3 * 20, 11, -2, 2);
    const u = input('u', [2, 3, 20]);
    const graph = makeGraph({ tau: sparseKThreshold(u, 5) });
    const result = interpret(graph, { inputs: { u: values } }).tau!;
    expect(result.shape).toEqual([2, 3, 20]);
    for (let row = 0; row < 6; row++)
      for (let i = 0; i < 20; i++)
        expect(result.data[row * 20 + i]).toBe(
          sparseKThresholdRow(Array.from(values.subarray(row * 20, row * 20 + i + 1)), 5),
        );
    const loaded = graphFromJSON(graphToJSON(graph), {
      extensions: [{ name: 'sparsek', ops: [sparseKThresholdOp] }],
    });
    expect(interpret(loaded, { inputs: { u: values } }).tau!.data).toEqual(result.data);
  });

  it('refuses a bad k or iteration count (SpecError) and non-f32 or scalar scores (ShapeError)', () => {
    const u = input('u', [4, 8]);
    expect(() => sparseKThreshold(u, 0, { block: 'layers.1.sparsek' })).toThrow(
      /layers\.1\.sparsek.*attribute "k"/,
    );
    expect(() => sparseKThreshold(u, 2, { iterations: 2.5 })).toThrow(SpecError);
    expect(() => sparseKThreshold(input('u', [4, 8], 'i32'), 2)).toThrow(ShapeError);
    expect(() => sparseKThreshold(input('u', []), 2)).toThrow(/scores must be f32 of rank 1/);
  });
});
