import { input, interpret, SpecError } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { denseNystromformer } from '../../test/dense-nystromformer.js';
import { nystromformerCatalogEntry } from '../catalog/nystromformer-entry.js';
import { nystromformerAttention } from './nystromformer.js';

describe('nystromformerAttention', () => {
  const q = input('q', [2, 3, 24, 8]);
  const v = input('v', [2, 3, 24, 5]);

  it('gives [batch, heads, n, dv] and an [m, m] pseudo-inverse per head', () => {
    const { output, pseudoInverse } = nystromformerAttention(q, q, v, { landmarks: 6 });
    expect(output.shape).toEqual([2, 3, 24, 5]);
    expect(pseudoInverse.shape).toEqual([2, 3, 6, 6]);
  });

  it('names the block, the landmarks and the iterations in its errors', () => {
    expect(() => nystromformerAttention(q, q, v, { landmarks: 5, name: 'layers.0.nys' })).toThrow(
      /layers\.0\.nys.*landmarks/,
    );
    expect(() => nystromformerAttention(q, q, v, { landmarks: 6, iterations: 0 })).toThrow(/iterations/);
    expect(() => nystromformerAttention(input('q', [24, 8]), q, v, { landmarks: 6 })).toThrow(SpecError);
  });
});

describe('Nyströmformer (catalog #57), float64', () => {
  const { graph, inputs, params } = nystromformerCatalogEntry.build();
  const reference = interpret(graph, { inputs, params });
  const sizes = { heads: 2, length: 32, dim: 16, landmarks: 8, iterations: 6 };
  const dense = denseNystromformer(inputs, sizes);

  it('the reference interpreter matches the paper formula written with loops', () => {
    expect(relativeError(reference.pseudoInverse!.data, dense.pseudoInverse)).toBeLessThan(1e-10);
    expect(relativeError(reference.output!.data, dense.output)).toBeLessThan(1e-10);
  });
});
