import { type Graph, graphNodes, input, makeGraph } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { crossAttention } from './cross-attention.js';
import { selfAttention } from './self-attention.js';
import { transformerBlock } from './transformer-block.js';

const paramNames = (graph: Graph) =>
  graphNodes(graph).flatMap((node) => (node.op === 'param' ? [String(node.attrs.name)] : []));

describe('the attention output-projection bias (outputBias)', () => {
  const x = input('x', [1, 6, 32]);

  it('adds <name>.bo [d] to self-attention only when asked', () => {
    const plain = selfAttention(x, { heads: 4, headDim: 8 }, 'attn').output;
    const biased = selfAttention(x, { heads: 4, headDim: 8, bias: true, outputBias: true }, 'attn').output;
    expect(paramNames(makeGraph({ y: plain }))).not.toContain('attn.bo');
    expect(paramNames(makeGraph({ y: biased }))).toEqual(expect.arrayContaining(['attn.bqkv', 'attn.bo']));
    const bo = graphNodes(makeGraph({ y: biased })).find(
      (n) => n.op === 'param' && n.attrs.name === 'attn.bo',
    )!;
    expect(bo.shape).toEqual([32]);
  });

  it('is refused by cross-attention, naming the key', () => {
    const memory = input('memory', [1, 5, 32]);
    expect(() =>
      crossAttention(x, memory, { heads: 4, headDim: 8, outputBias: true } as never, 'cross'),
    ).toThrow(/cross-attention "cross": unknown option "outputBias"/);
    expect(() =>
      transformerBlock(
        x,
        {
          attention: { heads: 4, headDim: 8 },
          mlp: { kind: 'gelu', hidden: 16 },
          norm: { kind: 'layernorm' },
          crossAttention: { memory, heads: 4, headDim: 8, outputBias: true } as never,
        },
        'layers.0',
      ),
    ).toThrow(/unknown option "outputBias" in crossAttention/);
  });
});
