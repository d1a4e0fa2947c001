import { input, interpret, type Node, param, SpecError } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { denseSparseK, sparseKThreshold } from '../../test/dense-sparsek.js';
import { SPARSEK_SHAPE, sparseKCatalogEntry } from '../catalog/sparsek-entry.js';
import { type SparseKAttentionOptions, sparseKAttention } from './sparsek-attention.js';

/** Float64 both sides, τ exact on both (the threshold op's breakpoint walk, the formula's interpolation). */
const FLOAT64_TOLERANCE = 1e-12;

describe('sparseKAttention (#86), float64', () => {
  it('the exact SparseK threshold puts mass k in [0, 1]^m', () => {
    const z = [0.3, -1.2, 2.5, 0.9, 1.1, -0.4];
    const tau = sparseKThreshold(z, 2);
    expect(z.reduce((s, value) => s + Math.min(1, Math.max(0, value - tau)), 0)).toBeCloseTo(2, 12);
  });

  it('the reference interpreter matches the formula written from the paper', () => {
    const { graph, inputs, params } = sparseKCatalogEntry.build();
    const reference = interpret(graph, { inputs, params });
    const expected = denseSparseK(SPARSEK_SHAPE)({ ...inputs, ...params });
    expect(relativeError(reference.output!.data, expected.output)).toBeLessThan(FLOAT64_TOLERANCE);
    // The soft mask matters: plain top-k attention differs.
    const plain = denseSparseK({ ...SPARSEK_SHAPE, k: 64 })({ ...inputs, ...params });
    expect(relativeError(reference.output!.data, plain.output)).toBeGreaterThan(1e-2);
  }, 300_000);
});

describe('sparseKAttention: bad input', () => {
  const q = input('q', [1, 2, 32, 8]);
  const base: SparseKAttentionOptions = {
    k: 4,
    name: 'layers.2.sparsek',
    score: { x: input('x', [1, 32, 6]), weight: param('w', [6, 2]) },
  };
  const build = (options: Partial<SparseKAttentionOptions>, inputs: Partial<Record<string, Node>> = {}) =>
    sparseKAttention(
      { query: inputs.query ?? q, key: inputs.key ?? q, value: inputs.value ?? q },
      { ...base, ...options },
    );

  it('names the block and the offending option or tensor', () => {
    expect(() => build({ k: 0 })).toThrow(/layers\.2\.sparsek.*option "k"/);
    expect(() => build({ iterations: 1.5 })).toThrow(/option "iterations"/);
    expect(() => build({ score: { ...base.score, weight: param('w', [6, 3]) } })).toThrow(
      /layers\.2\.sparsek.*score\.weight/,
    );
    expect(() => build({ score: { ...base.score, bias: param('b', [3]) } })).toThrow(/score\.bias/);
    expect(() => build({ score: { ...base.score, x: input('x', [1, 16, 6]) } })).toThrow(/score\.x/);
    expect(() => build({ score: { ...base.score, positionSlope: Number.NaN } })).toThrow(/positionSlope/);
    expect(() => build({}, { key: input('k', [1, 2, 16, 8]) })).toThrow(/key has the wrong shape/);
    expect(() => build({}, { value: input('v', [1, 2, 16, 8]) })).toThrow(/value has the wrong shape/);
    expect(() => build({}, { query: input('q', [2, 32, 8]) })).toThrow(SpecError);
  });
});
