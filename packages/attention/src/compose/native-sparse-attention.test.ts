import { input, interpret, makeGraph, type Node, param, SpecError } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { denseNsa } from '../../test/dense-nsa.js';
import { NSA_SHAPE, nsaCatalogEntry } from '../catalog/nsa-entry.js';
import { seededBlockParams } from '../catalog/seeded-block-params.js';
import { seeded } from '../catalog/seeded-values.js';
import { type NativeSparseAttentionOptions, nativeSparseAttention } from './native-sparse-attention.js';

/** The reference interpreter and the dense formula are both float64. */
const FLOAT64_TOLERANCE = 1e-12;

const q = input('q', [1, 4, 128, 16]);
const kv = input('k', [1, 2, 128, 16]);
const base: NativeSparseAttentionOptions = {
  blockLength: 32,
  stride: 16,
  selectBlock: 32,
  selectCount: 3,
  window: 32,
  name: 'layers.3.nsa',
  gate: { x: input('x', [1, 128, 8]), weight: param('g', [8, 12]) },
};
const build = (options: Partial<NativeSparseAttentionOptions>, inputs: Partial<Record<string, Node>> = {}) =>
  nativeSparseAttention(
    { query: inputs.query ?? q, key: inputs.key ?? kv, value: inputs.value ?? kv },
    { ...base, ...options },
  );

describe('nativeSparseAttention (#94), float64', () => {
  it('the reference interpreter matches the per-token formula written from the paper (MLP φ, GQA)', () => {
    const { graph, inputs, params } = nsaCatalogEntry.build();
    const reference = interpret(graph, { inputs, params });
    const expected = denseNsa({ ...NSA_SHAPE, mlp: true })({ ...inputs, ...params });
    for (const [name, formula] of Object.entries(expected)) {
      const error = relativeError(reference[name]!.data, formula);
      expect(error, name).toBeLessThan(FLOAT64_TOLERANCE);
    }
    // The selection drops blocks: the selected branch is not the plain causal one.
    const causalRows = denseNsa({ ...NSA_SHAPE, mlp: true, selectCount: 16 })({ ...inputs, ...params });
    expect(relativeError(reference.selected!.data, causalRows.selected)).toBeGreaterThan(1e-3);
  }, 400_000);

  it('with mean-pooled φ, MHA and selection blocks of 64 it matches the formula too', () => {
    const sizes = { ...NSA_SHAPE, heads: 2, kvHeads: 2, n: 192, selectBlock: 64, selectCount: 2, window: 40 };
    const { heads, n, dim, model, blockLength, stride, selectBlock, selectCount, window } = sizes;
    const [query, key, value] = ['q', 'k', 'v'].map((name) => input(name, [1, heads, n, dim])) as [
      Node,
      Node,
      Node,
    ];
    const x = input('x', [1, n, model]);
    const result = nativeSparseAttention(
      { query, key, value },
      {
        blockLength,
        stride,
        selectBlock,
        selectCount,
        window,
        gate: { x, weight: param('nsa.gate.weight', [model, heads * 3]) },
      },
    );
    const count = heads * n * dim;
    const inputs = { q: seeded(count, 1), k: seeded(count, 2), v: seeded(count, 3), x: seeded(n * model, 4) };
    const graph = makeGraph({ output: result.output, ...result.branches });
    const params = seededBlockParams(graph);
    const reference = interpret(graph, { inputs, params });
    const expected = denseNsa({ ...sizes, mlp: false })({ ...inputs, ...params });
    for (const [name, formula] of Object.entries(expected))
      expect(relativeError(reference[name]!.data, formula), name).toBeLessThan(FLOAT64_TOLERANCE);
  }, 400_000);
});

describe('nativeSparseAttention: bad input', () => {
  it('names the block and the offending option or tensor', () => {
    expect(() => build({ selectBlock: 48 })).toThrow(
      /layers\.3\.nsa.*selectBlock.*multiple of the kernel's key tile/,
    );
    expect(() => build({ stride: 12 })).toThrow(/option "stride" must be a divisor of blockLength/);
    expect(() => build({ selectBlock: 96 })).toThrow(/selectBlock" must be a divisor of the sequence length/);
    expect(() => build({ blockLength: 256, stride: 32 })).toThrow(/blockLength" must be at most/);
    expect(() => build({ selectCount: 0 })).toThrow(SpecError);
    expect(() => build({}, { key: input('k', [1, 3, 128, 16]) })).toThrow(/key heads must divide/);
    expect(() => build({}, { value: input('v', [1, 2, 64, 16]) })).toThrow(
      /layers\.3\.nsa.*value has the wrong shape/,
    );
    expect(() => build({}, { query: input('q', [4, 128, 16]) })).toThrow(
      /query must be \[batch, heads, N, dim\]/,
    );
  });

  it('names the gate and compression tensors of the wrong shape', () => {
    expect(() => build({ gate: { ...base.gate, weight: param('g', [8, 9]) } })).toThrow(/gate\.weight/);
    expect(() => build({ gate: { ...base.gate, bias: param('b', [3]) } })).toThrow(/gate\.bias/);
    expect(() => build({ gate: { ...base.gate, x: input('x', [1, 64, 8]) } })).toThrow(/gate\.x must be/);
    const mlp = { position: param('p', [32, 16]), hidden: param('h', [512, 4]), output: param('o', [4, 16]) };
    expect(() =>
      build({ compression: { key: mlp, value: { ...mlp, position: param('p', [16, 16]) } } }),
    ).toThrow(/compression\.value\.position/);
    expect(() =>
      build({ compression: { key: { ...mlp, output: param('o', [5, 16]) }, value: mlp } }),
    ).toThrow(/compression\.key\.output/);
    expect(() => build({ window: 0 })).toThrow(/window/);
  });
});
