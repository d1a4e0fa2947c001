import { alibi, attention, causal, qkNorm, rope, sigmoid, slidingWindow, softcap } from '@weft/attention';
import { type Graph, graphNodes, input, makeGraph, type Node, symbolicDim } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { buildDecoderGraph, type DecoderLmDefinition } from '../model/decoder-graph.js';
import { HYBRID_DECODER } from '../testing/hybrid-decoder.js';
import { crossAttention } from './cross-attention.js';
import { linear } from './linear.js';
import { mlp } from './mlp.js';
import { decoderStack, encoderStack, transformerStack } from './stacks.js';
import { type TransformerBlockOptions, transformerBlock } from './transformer-block.js';

const seq = symbolicDim('seq', { max: 16 });
const x = input('x', [1, seq, 32]);
const base: TransformerBlockOptions = {
  attention: { heads: 4, kvHeads: 2, headDim: 8 },
  mlp: { kind: 'swiglu', hidden: 48 },
  norm: { kind: 'rmsnorm', eps: 1e-6 },
};

const hashOf = (options: TransformerBlockOptions, name = 'layers.0') =>
  transformerBlock(x, options, name).output.hash;

function attentionNodes(graph: Graph): Node[] {
  return [...graphNodes(graph)].filter((node) => node.op === 'attention');
}

function params(graph: Graph): Record<string, readonly unknown[]> {
  return Object.fromEntries(
    [...graphNodes(graph)]
      .filter((node) => node.op === 'param')
      .map((node) => [String(node.attrs.name), node.shape]),
  );
}

describe('blocks take attention spec values', () => {
  it('a score mod or a normalizer changes the graph (they used to be dropped)', () => {
    const plain = hashOf(base);
    const capped = hashOf({ ...base, attention: { ...base.attention, score: [softcap(5)] } });
    const sigmoidal = hashOf({ ...base, attention: { ...base.attention, normalizer: sigmoid() } });
    const spec = hashOf({
      ...base,
      attention: attention({ heads: 4, kvHeads: 2, headDim: 8, score: softcap(5) }),
    });
    expect(new Set([plain, capped, sigmoidal]).size).toBe(3);
    expect(spec).toBe(capped);
  });

  it('the options form and the spec value build the same graph; the block renames the spec', () => {
    const options = { heads: 4, kvHeads: 2, headDim: 8, positions: rope(), mask: slidingWindow(4) };
    const value = attention({ ...options, name: 'anything' });
    expect(hashOf({ ...base, attention: value })).toBe(hashOf({ ...base, attention: options }));
    const graph = makeGraph({ y: transformerBlock(x, { ...base, attention: value }, 'layers.3').output });
    const [node] = attentionNodes(graph);
    expect(node!.attrs.block).toBe('layers.3.attn');
  });

  it('every part reaches the op: QK norm parameters sit under the block path', () => {
    const spec = attention({ heads: 4, kvHeads: 2, headDim: 8, qkNorm: qkNorm(), name: 'unused' });
    const graph = makeGraph({ y: transformerBlock(x, { ...base, attention: spec }, 'layers.1').output });
    const names = Object.keys(params(graph)).filter((name) => name.includes('Norm.'));
    expect(names.filter((name) => name.startsWith('layers.1.attn.')).length).toBeGreaterThan(0);
    expect(names.filter((name) => name.startsWith('unused'))).toEqual([]);
  });

  it('decoupled value heads and dims size the fused projection and the output projection', () => {
    const graph = makeGraph({
      y: transformerBlock(
        x,
        { ...base, attention: attention({ heads: 4, kvHeads: 2, valueHeads: 4, headDim: 8, valueDim: 4 }) },
        'layers.0',
      ).output,
    });
    expect(params(graph)['layers.0.attn.wqkv']).toEqual([32, 4 * 8 + 2 * 8 + 4 * 4]);
    expect(params(graph)['layers.0.attn.wo']).toEqual([4 * 4, 32]);
  });

  it('refuses a spec with extra outputs, which a block would drop', () => {
    const spec = attention({ heads: 4, headDim: 8, outputs: { logSumExp: true } });
    expect(() => hashOf({ ...base, attention: spec })).toThrow(/uses the attention output only/);
  });

  it('stacks take the attention as a function of the layer index (per-layer hybrids)', () => {
    const { output } = transformerStack(
      x,
      4,
      {
        ...base,
        attention: (layer) =>
          layer === 3
            ? attention({ heads: 4, kvHeads: 2, headDim: 8 })
            : attention({ heads: 4, kvHeads: 2, headDim: 8, positions: rope(), mask: slidingWindow(4) }),
      },
      'layers',
    );
    const rotary = attentionNodes(makeGraph({ output })).map((node) => node.attrs.rope !== null);
    expect(rotary).toEqual([true, true, true, false]);
  });

  it('encoder stacks make spec values bidirectional; decoder stacks match cross-attention heads', () => {
    const spec = attention({ heads: 4, kvHeads: 2, headDim: 8, normalizer: sigmoid() });
    const encoded = encoderStack(x, 1, { ...base, attention: spec }, 'encoder');
    const [node] = attentionNodes(makeGraph({ encoded }));
    expect(node!.attrs.mask).toBeNull();
    const decoded = decoderStack(x, encoded, 1, { ...base, attention: spec }, 'decoder');
    expect(params(makeGraph({ decoded }))['decoder.0.cross.wkv']).toEqual([32, 2 * 2 * 8]);
  });

  it('cross-attention takes a spec value', () => {
    const memory = input('memory', [1, 5, 24]);
    const plain = crossAttention(x, memory, { heads: 4, headDim: 8 }, 'cross');
    const sigmoidal = crossAttention(
      x,
      memory,
      attention({ heads: 4, headDim: 8, normalizer: sigmoid() }),
      'cross',
    );
    expect(plain.hash).not.toBe(sigmoidal.hash);
  });
});

describe('the hybrid decoder of issue 13', () => {
  it('puts sigmoid + ALiBi on even layers and softmax + RoPE + sliding window on odd ones, all softcapped', () => {
    const { graph } = buildDecoderGraph(HYBRID_DECODER, { mode: 'forward' });
    const nodes = attentionNodes(graph);
    expect(nodes).toHaveLength(4);
    const normalizers = nodes.map((node) => JSON.stringify(node.attrs.normalizer));
    expect(normalizers.map((text) => text.includes('sigmoid'))).toEqual([true, false, true, false]);
    expect(nodes.map((node) => node.attrs.rope !== null)).toEqual([false, true, false, true]);
    // Softcap (tanh) in every layer's score; the window only in the odd layers' masks.
    expect(nodes.map((node) => JSON.stringify(node.attrs.score).includes('tanh'))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(nodes.map((node) => node.attrs.mask !== null)).toEqual([true, true, true, true]);
  });

  it('changing one layer’s score mod or normalizer changes the graph hash', () => {
    const hash = (definition: DecoderLmDefinition) =>
      buildDecoderGraph(definition, { mode: 'forward' }).graph.outputs.logits!.hash;
    const block = HYBRID_DECODER.block as Exclude<DecoderLmDefinition['block'], (layer: number) => unknown>;
    const layerAttention = block.attention as (layer: number) => ReturnType<typeof attention>;
    const variant = (change: (layer: number) => ReturnType<typeof attention>): DecoderLmDefinition => ({
      ...HYBRID_DECODER,
      block: { ...block, attention: (layer) => (layer === 2 ? change(layer) : layerAttention(layer)) },
    });
    const baseline = hash(HYBRID_DECODER);
    expect(hash(variant(layerAttention))).toBe(baseline);
    const noCap = hash(
      variant(() =>
        attention({ heads: 4, kvHeads: 2, headDim: 8, positions: alibi(), normalizer: sigmoid() }),
      ),
    );
    const softmaxed = hash(
      variant(() => attention({ heads: 4, kvHeads: 2, headDim: 8, positions: alibi(), score: softcap(20) })),
    );
    expect(new Set([baseline, noCap, softmaxed]).size).toBe(3);
  });

  it('builds a step program with one key and one value cache per layer', () => {
    const { state } = buildDecoderGraph(HYBRID_DECODER, { mode: 'step' });
    expect(Object.keys(state)).toHaveLength(8);
  });
});

describe('options are exact', () => {
  it('an unknown attention option names the key and the block', () => {
    const options = { ...base, attention: { ...base.attention, normaliser: sigmoid() } };
    expect(() => transformerBlock(x, options as TransformerBlockOptions, 'layers.2')).toThrow(
      /transformer block "layers\.2": unknown option "normaliser" in attention/,
    );
  });

  it('unknown keys at the top level, in the MLP, the norm and the residual are refused', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...base, dropout: 0.1 }, /unknown option "dropout"/],
      [
        { ...base, mlp: { kind: 'gelu', hidden: 8, activation: 'relu' } },
        /unknown option "activation" in mlp/,
      ],
      [{ ...base, norm: { kind: 'rmsnorm', epsilon: 1e-6 } }, /unknown option "epsilon" in norm/],
      [{ ...base, residual: { kind: 'add', scale: 2 } }, /unknown option "scale" in residual/],
    ];
    for (const [options, message] of cases)
      expect(() => transformerBlock(x, options as unknown as TransformerBlockOptions, 'layers.0')).toThrow(
        message,
      );
  });

  it('a per-layer function returning an unknown key is refused at run time, naming the layer', () => {
    expect(() =>
      transformerStack(
        x,
        2,
        (layer) => ({ ...base, ...(layer === 1 ? { normPlacement: 'post' } : {}) }),
        'layers',
      ),
    ).toThrow(/transformer block "layers\.1": unknown option "normPlacement"/);
  });

  it('type errors for unknown keys', () => {
    const check = (options: TransformerBlockOptions) => options;
    // @ts-expect-error: `normaliser` is not an attention option
    check({ ...base, attention: { heads: 4, headDim: 8, normaliser: sigmoid() } });
    // @ts-expect-error: `dropout` is not a block option
    check({ ...base, dropout: 0.1 });
    // @ts-expect-error: `activation` is not an MLP option
    check({ ...base, mlp: { kind: 'gelu', hidden: 8, activation: 'relu' } });
    // @ts-expect-error: `causal` takes a boolean, not a mask
    check({ ...base, attention: { heads: 4, headDim: 8, causal: causal() } });
    expect(true).toBe(true);
  });

  it('linear without weight names the missing option and the layer', () => {
    const call = () => linear(x, { outFeatures: 8, name: 'layers.0.proj' } as never);
    expect(call).toThrow(/linear "layers\.0\.proj": option "weight" is missing/);
  });
});

describe('MLP variants', () => {
  it('relu2 is Primer’s squared ReLU: one up projection, relu, square, down', () => {
    const graph = makeGraph({ y: mlp(x, { kind: 'relu2', hidden: 40, bias: true }, 'mlp') });
    expect(params(graph)).toEqual({
      'mlp.wUp': [32, 40],
      'mlp.bUp': [40],
      'mlp.wDown': [40, 32],
      'mlp.bDown': [32],
    });
    expect([...graphNodes(graph)].some((node) => JSON.stringify(node.attrs).includes('relu'))).toBe(true);
  });
});
