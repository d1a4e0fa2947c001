import { input, interpret, SpecError, topoSort } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { denseLinformer } from '../../test/dense-linformer.js';
import { linformerCatalogEntry } from '../catalog/linformer-entry.js';
import { linformerAttention } from './linformer.js';

describe('linformerAttention', () => {
  const q = input('q', [2, 3, 20, 8]);
  const v = input('v', [2, 3, 20, 5]);

  it('projects keys and values to k positions and attends over them', () => {
    const result = linformerAttention(q, q, v, { projectedLength: 4 });
    expect(result.projectedKey.shape).toEqual([2, 3, 4, 8]);
    expect(result.projectedValue.shape).toEqual([2, 3, 4, 5]);
    expect(result.output.shape).toEqual([2, 3, 20, 5]);
  });

  it('declares per-head, headwise or key-value shared projections', () => {
    const params = (sharing: 'none' | 'headwise' | 'key-value') =>
      topoSort([linformerAttention(q, q, v, { projectedLength: 4, sharing, name: 'lin' }).output])
        .filter((node) => node.op === 'param')
        .map((node) => `${String(node.attrs.name)}:${node.shape.join('x')}`)
        .sort();
    expect(params('none')).toEqual(['lin.keyProjection:3x4x20', 'lin.valueProjection:3x4x20']);
    expect(params('headwise')).toEqual(['lin.keyProjection:4x20', 'lin.valueProjection:4x20']);
    expect(params('key-value')).toEqual(['lin.keyProjection:4x20']);
  });

  it('names the block and the offending size in its errors', () => {
    expect(() => linformerAttention(q, q, v, { projectedLength: 0, name: 'layers.1.lin' })).toThrow(
      /layers\.1\.lin.*projectedLength/,
    );
    expect(() => linformerAttention(input('q', [3, 20, 8]), q, v, { projectedLength: 4 })).toThrow(SpecError);
  });
});

describe('Linformer (catalog #50), float64', () => {
  it('the reference interpreter matches softmax(Q (E K)ᵀ/√d)(F V) written with loops', () => {
    const { graph, inputs, params } = linformerCatalogEntry.build();
    const reference = interpret(graph, { inputs, params }).output!.data;
    const dense = denseLinformer({ ...inputs, ...params }, { heads: 4, length: 32, dim: 16, projected: 8 });
    expect(relativeError(reference, dense)).toBeLessThan(1e-12);
  });
});
