import { readFileSync } from 'node:fs';
import { interpret } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { parsePlaygroundDocument } from '../document/playground-document.js';
import { buildInstance } from './build-instance.js';

const hybridDecoder = readFileSync(
  new URL('../../../cli/examples/hybrid-decoder.json', import.meta.url),
  'utf8',
);

describe('model and zoo documents', () => {
  it('builds a v2 model spec into its forward graph with seeded weights and 8 tokens', () => {
    const instance = buildInstance(parsePlaygroundDocument(hybridDecoder));
    expect(instance.title).toMatch(/^model: decoder-lm, 4 layers, d_model 32, 8 tokens/);
    expect(Array.from(instance.inputs.tokens as Int32Array)).toEqual([3, 10, 17, 24, 31, 38, 45, 4]);
    const { logits } = interpret(instance.graph, instance);
    expect(logits!.shape).toEqual([1, 8, 48]);
    expect(logits!.data.every(Number.isFinite)).toBe(true);
  });

  it('reports a model spec error with its JSON path', () => {
    const broken = JSON.parse(hybridDecoder);
    broken.config.attention.kvHeads = 3;
    expect(() => buildInstance(parsePlaygroundDocument(JSON.stringify(broken)))).toThrow(/kvHeads/);
  });

  it('builds a zoo entry, and names the known ids for an unknown one', () => {
    expect(buildInstance({ kind: 'zoo', id: 'layer-norm' }).tolerance).toBeGreaterThan(0);
    expect(() => buildInstance({ kind: 'zoo', id: 'layer-nrom' })).toThrow(
      /no entry "layer-nrom".*layer-norm/s,
    );
  });
});
