import { attention, causal, MULTI_TOKEN_OP, multiTokenConvolution } from '@weft/attention';
import { graphNodes, input, interpret, makeGraph, SpecError, type Tensor64 } from '@weft/ir';
import { randomTensor, relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { randomGraphParams } from '../testing/random-graph-params.js';
import { selfAttention } from './self-attention.js';

const tensor = (shape: number[], at: (index: number) => number): Tensor64 => ({
  shape,
  dtype: 'f32',
  data: Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, index) => at(index)),
});

describe('Multi-Token Attention in a model block', () => {
  const x = input('x', [1, 7, 32]);
  const scoreMap = multiTokenConvolution({ queryKernel: 3, keyKernel: 5, headMixing: { groupSize: 2 } });

  it('a self-attention block applies the score map (two Multi-Token nodes, the block causal)', () => {
    const { output } = selfAttention(
      x,
      attention({ heads: 4, headDim: 8, mask: causal(), scoreMap }),
      'layers.0.attn',
    );
    const nodes = graphNodes(makeGraph({ output })).filter((node) => node.op === MULTI_TOKEN_OP);
    expect(nodes.map((node) => node.attrs.result).sort()).toEqual(['output', 'stats']);
    expect(nodes.every((node) => node.attrs.causal === true)).toBe(true);
  });

  it("with the paper's identity initialization it equals the block without it", () => {
    const plain = selfAttention(x, { heads: 4, headDim: 8 }, 'layers.0.attn').output;
    const mta = selfAttention(x, { heads: 4, headDim: 8, scoreMap }, 'layers.0.attn').output;
    const params = {
      ...randomGraphParams(makeGraph({ plain }), 5),
      // θ = 1 at [c_q − 1, ⌊c_k/2⌋], W_g = I.
      'layers.0.attn.scoreMap.kernel': tensor([4, 3, 5], (index) => (index % 15 === 12 ? 1 : 0)),
      'layers.0.attn.scoreMap.headMix': tensor([2, 2, 2], (index) =>
        index % 4 === 0 || index % 4 === 3 ? 1 : 0,
      ),
    };
    const inputs = { x: randomTensor([1, 7, 32], { seed: 3 }) };
    const results = interpret(makeGraph({ plain, mta }), { inputs, params });
    expect(relativeError(results.mta!.data, results.plain!.data)).toBeLessThan(1e-12);
  });

  it('refuses a KV cache: decoding would need the previous query rows', () => {
    expect(() =>
      selfAttention(
        x,
        { heads: 4, headDim: 8, scoreMap, cache: { maxSeq: 16, past: input('past', [], 'i32') } },
        'layers.0.attn',
      ),
    ).toThrow(SpecError);
  });
});
