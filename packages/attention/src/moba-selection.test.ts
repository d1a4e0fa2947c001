import { input, interpret, makeGraph, SpecError, tensorRef } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { denseMoba, mobaBlocks } from '../test/dense-moba.js';
import { applyAttention } from './apply-attention.js';
import { seeded } from './catalog/seeded-values.js';
import { blockTable } from './masks/block-table.js';
import { causal } from './masks/builtin-masks.js';
import { and } from './masks/combine-masks.js';
import { mobaBlockTables, mobaSelection } from './masks/moba-selection.js';
import { attention } from './spec/attention-spec.js';

const HEADS = 2;
const DIM = 8;
const LENGTH = 128;
const BLOCK = 32;

function instance(topK: number, gate: 'token' | 'block' = 'token') {
  const shape = [1, HEADS, LENGTH, DIM];
  const [query, key, value] = ['q', 'k', 'v'].map((name) => input(name, shape)) as [
    ReturnType<typeof input>,
    ReturnType<typeof input>,
    ReturnType<typeof input>,
  ];
  const moba = mobaBlockTables(query, key, { blockSize: BLOCK, topK, gate });
  const spec = attention({
    heads: HEADS,
    headDim: DIM,
    mask: and(causal(), mobaSelection({ blockSize: BLOCK, topK, gate })),
  });
  const { output } = applyAttention(spec, { query, key, value });
  const dense = applyAttention(attention({ heads: HEADS, headDim: DIM, mask: causal() }), {
    query,
    key,
    value,
  }).output;
  const count = HEADS * LENGTH * DIM;
  const values = { q: seeded(count, 21), k: seeded(count, 22), v: seeded(count, 23) };
  const graph = makeGraph({
    output,
    dense,
    table: moba.table,
    ...(moba.tokens ? { tokens: moba.tokens } : {}),
  });
  return { values, result: interpret(graph, { inputs: values }) };
}

const sizes = (topK: number, gate: 'token' | 'block' = 'token') => ({
  batch: 1,
  heads: HEADS,
  length: LENGTH,
  dim: DIM,
  blockSize: BLOCK,
  topK,
  gate,
});

describe('mobaSelection (float64 interpreter)', () => {
  for (const gate of ['token', 'block'] as const) {
    it(`${gate} gating selects the blocks the paper's routing selects, and the output matches the dense formula`, () => {
      const { values, result } = instance(2, gate);
      const selected = mobaBlocks(sizes(2, gate), values.q, values.k);
      const blocks = LENGTH / BLOCK;
      for (let h = 0; h < HEADS; h++)
        for (let i = 0; i < LENGTH; i++) {
          const expected = selected(0, h, i);
          for (let block = 0; block < blocks; block++) {
            const picked =
              gate === 'token'
                ? result.tokens!.data[(h * LENGTH + i) * blocks + block]
                : result.table!.data[(h * blocks + Math.floor(i / BLOCK)) * blocks + block];
            expect(picked, `head ${h} query ${i} block ${block}`).toBe(expected.has(block) ? 1 : 0);
          }
        }
      // Some query keeps fewer blocks than it could see: the selection drops blocks.
      expect(relativeError(result.output!.data, result.dense!.data)).toBeGreaterThan(1e-3);
      expect(relativeError(result.output!.data, denseMoba(sizes(2, gate))(values).output)).toBeLessThan(
        1e-12,
      );
    });
  }

  it('with every block kept it is dense causal attention', () => {
    const { result } = instance(LENGTH / BLOCK);
    expect(relativeError(result.output!.data, result.dense!.data)).toBeLessThan(1e-12);
  });

  it('the table is the union of the token selection over each query block', () => {
    const { result } = instance(2);
    const blocks = LENGTH / BLOCK;
    for (let h = 0; h < HEADS; h++)
      for (let row = 0; row < blocks; row++)
        for (let block = 0; block < blocks; block++) {
          let any = 0;
          for (let i = row * BLOCK; i < (row + 1) * BLOCK; i++)
            any = Math.max(any, result.tokens!.data[(h * LENGTH + i) * blocks + block]!);
          expect(result.table!.data[(h * blocks + row) * blocks + block]).toBe(any);
        }
  });

  it('refuses block sizes that the kernel tiles do not divide, and sequences the blocks do not divide', () => {
    const q = input('q', [1, 2, 96, 8]);
    expect(() => mobaSelection({ blockSize: 48, topK: 2 })).toThrow(SpecError);
    expect(() => mobaBlockTables(q, q, { blockSize: 64, topK: 2 })).toThrow(/must divide the sequence/);
    // Inside a spec, the error comes when the table is built for the attention's own q and k.
    const spec = attention({ heads: 2, headDim: 8, mask: mobaSelection({ blockSize: 64, topK: 2 }) });
    expect(() => applyAttention(spec, { query: q, key: q, value: q })).toThrow(/must divide the sequence/);
    expect(() => blockTable(tensorRef('t', [1, 2, 3, 3], 'i32'), { blockSize: 20 })).toThrow(
      /multiple of 32/,
    );
    expect(() => blockTable(tensorRef('t', [2, 3, 3], 'i32'), { blockSize: 32 })).toThrow(/rank 4/);
  });
});
