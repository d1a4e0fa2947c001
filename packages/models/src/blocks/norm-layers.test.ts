import {
  type Graph,
  graphNodes,
  input,
  interpret,
  makeGraph,
  type Node,
  symbolicDim,
  tensor64,
} from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { adaptiveLayerNorm, taskLayerNormLayer } from './conditional-norm-layers.js';
import { normLayer } from './norm-layer.js';
import {
  fixNormLayer,
  hypersphereNormLayer,
  l2NormLayer,
  layerNormLayer,
  rmsNormLayer,
  scaleNormLayer,
  simpleRmsNormLayer,
} from './norm-layers.js';
import { type TransformerBlockOptions, transformerBlock } from './transformer-block.js';

const seq = symbolicDim('seq', { max: 8 });
const x = input('x', [1, seq, 32]);
const base: TransformerBlockOptions = {
  attention: { heads: 4, headDim: 8 },
  mlp: { kind: 'gelu', hidden: 16 },
  norm: { kind: 'rmsnorm' },
};

function params(output: Node): Record<string, readonly unknown[]> {
  const graph: Graph = makeGraph({ output });
  return Object.fromEntries(
    [...graphNodes(graph)]
      .filter((node) => node.op === 'param')
      .map((node) => [String(node.attrs.name), node.shape]),
  );
}

const normParams = (output: Node) =>
  Object.fromEntries(Object.entries(params(output)).filter(([name]) => name.includes('Norm')));

describe('norm-layer values in norm slots', () => {
  it('the legacy { kind, eps } maps onto the same graph as the norm-layer values', () => {
    const block = (norm: TransformerBlockOptions['norm']) =>
      transformerBlock(x, { ...base, norm }, 'l').output.hash;
    expect(block({ kind: 'rmsnorm' })).toBe(block(rmsNormLayer({ eps: 1e-5 })));
    expect(block({ kind: 'layernorm', eps: 1e-6, placement: 'post' })).toBe(
      block({ layer: layerNormLayer({ eps: 1e-6 }), placement: 'post' }),
    );
    expect(block({ kind: 'rmsnorm', eps: 1e-6 })).not.toBe(block(rmsNormLayer({ eps: 1e-5 })));
  });

  it('each row norm names its parameters under the slot', () => {
    const cases: [string, TransformerBlockOptions['norm'], Record<string, number[]>][] = [
      ['rms', rmsNormLayer(), { 'b.attnNorm.gamma': [32], 'b.mlpNorm.gamma': [32] }],
      ['layer', layerNormLayer({ bias: false }), { 'b.attnNorm.gamma': [32], 'b.mlpNorm.gamma': [32] }],
      ['simple rms', simpleRmsNormLayer(), {}],
      ['scale', scaleNormLayer(), { 'b.attnNorm.scale': [1], 'b.mlpNorm.scale': [1] }],
      ['l2', l2NormLayer({ scale: 'vector' }), { 'b.attnNorm.scale': [32], 'b.mlpNorm.scale': [32] }],
      ['fix', fixNormLayer(), {}],
      ['hypersphere', hypersphereNormLayer(), {}],
    ];
    for (const [label, norm, expected] of cases) {
      const output = transformerBlock(x, { ...base, norm }, 'b').output;
      expect(normParams(output), label).toEqual(expected);
    }
  });

  it('sandwich placement applies the layer after each sublayer too', () => {
    const output = transformerBlock(
      x,
      { ...base, norm: { layer: scaleNormLayer(), placement: 'sandwich' } },
      'b',
    ).output;
    expect(Object.keys(normParams(output)).sort()).toEqual([
      'b.attnNorm.scale',
      'b.attnPostNorm.scale',
      'b.mlpNorm.scale',
      'b.mlpPostNorm.scale',
    ]);
  });

  it('constructors take exact options', () => {
    expect(() => rmsNormLayer({ epsilon: 1e-6 } as never)).toThrow(/unknown option "epsilon"/);
    expect(() => adaptiveLayerNorm({ gate: true } as never)).toThrow(/unknown option "gate"/);
  });
});

describe('conditional norm layers fed by the block condition', () => {
  const condition = input('c', [1, 16]);

  it('adaptiveLayerNorm needs the condition and projects it to shift and scale', () => {
    expect(() => transformerBlock(x, { ...base, norm: adaptiveLayerNorm() }, 'b')).toThrow(
      /transformer block "b": norm layer adaptiveLayerNorm needs the option "condition"/,
    );
    const output = transformerBlock(x, { ...base, norm: adaptiveLayerNorm(), condition }, 'b').output;
    expect(normParams(output)).toEqual({
      'b.attnNorm.modulation.weight': [16, 64],
      'b.attnNorm.modulation.bias': [64],
      'b.mlpNorm.modulation.weight': [16, 64],
      'b.mlpNorm.modulation.bias': [64],
    });
  });

  it('adaptiveLayerNorm computes LN(x) ⊙ (1 + scale) + shift from SiLU(c) W + b', () => {
    const row = input('row', [1, 1, 2]);
    const c = input('c1', [1, 1]);
    const graph = makeGraph({ y: normLayer(row, adaptiveLayerNorm({ eps: 0 }), 'n', c) });
    const silu = (v: number) => v / (1 + Math.exp(-v));
    const { y } = interpret(graph, {
      inputs: { row: tensor64([1, 1, 2], [1, 3]), c1: tensor64([1, 1], [2]) },
      params: {
        'n.modulation.weight': tensor64([1, 4], [1, 2, 3, 4]),
        'n.modulation.bias': tensor64([4], [0.5, 0, 0, 0]),
      },
    });
    const s = silu(2);
    // LN([1, 3]) = [−1, 1]; shift = [s + 0.5, 2s], scale = [3s, 4s].
    expect(Array.from(y!.data)).toEqual([
      expect.closeTo(-1 * (1 + 3 * s) + s + 0.5, 12),
      expect.closeTo(1 * (1 + 4 * s) + 2 * s, 12),
    ]);
  });

  it('taskLayerNormLayer reads task ids from the condition', () => {
    const task = input('task', [1], 'i32');
    const output = transformerBlock(
      x,
      { ...base, norm: taskLayerNormLayer({ tasks: 3 }), condition: task },
      'b',
    ).output;
    expect(normParams(output)['b.attnNorm.gamma']).toEqual([3, 32]);
  });

  it('an adaLnZero residual takes the block condition by default', () => {
    const withOwn = transformerBlock(x, { ...base, residual: { kind: 'adaLnZero', condition } }, 'b').output;
    const fromBlock = transformerBlock(
      x,
      { ...base, residual: { kind: 'adaLnZero' }, condition },
      'b',
    ).output;
    expect(fromBlock.hash).toBe(withOwn.hash);
    expect(() => transformerBlock(x, { ...base, residual: { kind: 'adaLnZero' } }, 'b')).toThrow(
      /needs a condition/,
    );
  });
});
