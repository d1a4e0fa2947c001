import { attention, causal, rope } from '@weft/attention';
import { type Graph, graphNodes, interpret, SpecError, tensor64 } from '@weft/ir';
import { randomIndices, randomTensor, relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { randomGraphParams } from '../testing/random-graph-params.js';
import {
  TINY_DIT,
  TINY_ENCODER,
  TINY_ENCODER_DECODER,
  TINY_VIT,
  TINY_VIT_ROPE,
} from '../testing/tiny-architectures.js';
import {
  denseDit,
  denseEncoder,
  denseEncoderDecoder,
  denseVit,
  denseVitBackbone,
} from './dense-architectures.test-support.js';
import { buildDitGraph } from './dit.js';
import { buildEncoderGraph } from './encoder.js';
import { buildEncoderDecoderGraph } from './encoder-decoder.js';
import { buildVitGraph } from './vit.js';

function paramShapes(graph: Graph): Record<string, number[]> {
  const shapes: Record<string, number[]> = {};
  for (const node of graphNodes(graph))
    if (node.op === 'param') shapes[String(node.attrs.name)] = node.shape as number[];
  return shapes;
}

const dataOf = (params: Record<string, { data: Float64Array }>) =>
  Object.fromEntries(Object.entries(params).map(([name, t]) => [name, t.data]));

describe('encoder (BERT style)', () => {
  const graph = buildEncoderGraph(TINY_ENCODER, { batch: 2 });

  it('names its parameters', () => {
    const shapes = paramShapes(graph);
    expect(shapes['embedding.tokens']).toEqual([40, 32]);
    expect(shapes['embedding.positions']).toEqual([16, 32]);
    expect(shapes['embedding.tokenTypes']).toEqual([2, 32]);
    expect(shapes['embedding.norm.gamma']).toEqual([32]);
    expect(shapes['layers.1.attn.wqkv']).toEqual([32, 96]);
    expect(shapes['layers.1.attn.bqkv']).toEqual([96]);
    expect(shapes['layers.1.attn.bo']).toEqual([32]);
    expect(shapes['layers.1.attnNorm.beta']).toEqual([32]);
    expect(shapes['layers.1.mlp.wUp']).toEqual([32, 64]);
    expect(shapes['layers.1.mlpNorm.gamma']).toEqual([32]);
    expect(shapes['pooler.weight']).toEqual([32, 32]);
    expect(Object.keys(graph.outputs).sort()).toEqual(['hidden', 'pooled']);
  });

  it('matches a dense float64 forward (padding mask from lengths, token types, pooler)', () => {
    const params = randomGraphParams(graph, 3);
    const tokens = [
      [3, 7, 1, 39, 22, 5, 0, 12, 8, 30],
      [2, 4, 6, 8, 10, 12, 14, 16, 18, 20],
    ];
    const types = tokens.map((row) => row.map((_, i) => (i < 5 ? 0 : 1)));
    const lengths = [10, 6];
    const result = interpret(graph, {
      inputs: {
        tokens: tensor64([2, 10], tokens.flat(), 'i32'),
        tokenTypes: tensor64([2, 10], types.flat(), 'i32'),
        lengths: tensor64([2], lengths, 'i32'),
      },
      params,
      dims: { seq: 10 },
    });
    const dense = denseEncoder(TINY_ENCODER, dataOf(params), tokens, types, lengths);
    expect(relativeError(result.hidden!.data, dense.hidden)).toBeLessThan(1e-12);
    expect(relativeError(result.pooled!.data, dense.pooled)).toBeLessThan(1e-12);
  });

  it('refuses bad definitions naming the block and the option', () => {
    expect(() => buildEncoderGraph({ ...TINY_ENCODER, dModel: 0 })).toThrow(/encoder: option "dModel"/);
    expect(() => buildEncoderGraph({ ...TINY_ENCODER, heads: 4 } as never)).toThrow(/unknown option "heads"/);
    expect(() =>
      buildEncoderGraph({ ...TINY_ENCODER, attention: { heads: 4, headDim: 8, normaliser: 1 } as never }),
    ).toThrow(/unknown option "normaliser" in attention/);
    expect(() => buildEncoderGraph({ ...TINY_ENCODER, mlp: { kind: 'swish' as never, hidden: 8 } })).toThrow(
      SpecError,
    );
  });

  it('takes attention spec values, adding the padding mask after their own mask', () => {
    const spec = attention({ heads: 4, headDim: 8, positions: rope() });
    const built = buildEncoderGraph({ ...TINY_ENCODER, attention: spec, typeVocabSize: undefined as never });
    expect(paramShapes(built)['embedding.tokenTypes']).toBeUndefined();
    const node = graphNodes(built).find((n) => n.op === 'attention')!;
    const attrs = JSON.stringify(node.attrs);
    // Only the key padding mask k < lengths[b]: no causal k <= q.
    expect(attrs).toMatch(/"key":"lt\(k:i32, lengths\[b:i32\]:i32\)"/);
    expect(attrs).not.toMatch(/le\(k:i32, q/);
    expect(attrs).toMatch(/"rotaryDims":8/);
  });
});

describe('ViT', () => {
  const graph = buildVitGraph(TINY_VIT, { batch: 2 });

  it('names its parameters', () => {
    const shapes = paramShapes(graph);
    expect(shapes['patch.weight']).toEqual([32, 3, 4, 4]);
    expect(shapes.cls).toEqual([1, 1, 32]);
    expect(shapes.positions).toEqual([7, 32]);
    expect(shapes['layers.0.attnNorm.gamma']).toEqual([32]);
    expect(shapes['finalNorm.gamma']).toEqual([32]);
    expect(shapes['head.weight']).toEqual([32, 10]);
    expect(graph.outputs.logits!.shape).toEqual([2, 10]);
  });

  it('matches a dense float64 forward (conv patches, class token, learned positions)', () => {
    const params = randomGraphParams(graph, 4);
    const pixels = randomTensor([2, 3, 8, 12], { seed: 9, min: -1, max: 1 });
    const result = interpret(graph, { inputs: { pixels }, params });
    const dense = denseVit(TINY_VIT, dataOf(params), pixels.data, 2);
    expect(relativeError(result.logits!.data, dense)).toBeLessThan(1e-12);
  });

  it('without classes is a backbone: final-normed tokens and the pooled class token (ViTModel)', () => {
    const { classes: _classes, ...backbone } = TINY_VIT;
    const definition = { ...backbone, pooler: true };
    const built = buildVitGraph(definition, { batch: 2 });
    const shapes = paramShapes(built);
    expect(shapes['head.weight']).toBeUndefined();
    expect(shapes['pooler.weight']).toEqual([32, 32]);
    expect(Object.keys(built.outputs).sort()).toEqual(['hidden', 'pooled']);
    expect(built.outputs.hidden!.shape).toEqual([2, 7, 32]);
    const params = randomGraphParams(built, 6);
    const pixels = randomTensor([2, 3, 8, 12], { seed: 10, min: -1, max: 1 });
    const result = interpret(built, { inputs: { pixels }, params });
    const dense = denseVitBackbone(definition, dataOf(params), pixels.data, 2);
    expect(relativeError(result.hidden!.data, dense.hidden)).toBeLessThan(1e-12);
    expect(relativeError(result.pooled!.data, dense.pooled)).toBeLessThan(1e-12);
    expect(() => buildVitGraph({ ...TINY_VIT_ROPE, pooler: true })).toThrow(
      /vit: the pooler reads the class token/,
    );
    expect(() => buildVitGraph({ ...TINY_VIT, pooler: 1 as never })).toThrow(/vit: option "pooler"/);
  });

  it('uses 2-D RoPE on the patch grid with mean pooling', () => {
    const built = buildVitGraph(TINY_VIT_ROPE);
    const shapes = paramShapes(built);
    expect(shapes.cls).toBeUndefined();
    expect(shapes.positions).toBeUndefined();
    const node = graphNodes(built).find((n) => n.op === 'attention')!;
    expect(JSON.stringify(node.attrs)).toMatch(/"grid":\[2,3\]/);
  });

  it('refuses bad definitions naming the block and the dim', () => {
    expect(() => buildVitGraph({ ...TINY_VIT, patchSize: 5 })).toThrow(
      /vit: patchSize 5 does not divide the image height 8/,
    );
    expect(() => buildVitGraph({ ...TINY_VIT, positions: 'rope2d' })).toThrow(/vit: 2-D RoPE .* class token/);
    expect(() => buildVitGraph({ ...TINY_VIT, classes: 1.5 })).toThrow(/vit: option "classes"/);
    expect(() => buildVitGraph({ ...TINY_VIT, pool: 'max' as never })).toThrow(/vit: unknown pool/);
  });
});

describe('DiT blocks', () => {
  const graph = buildDitGraph(TINY_DIT, { batch: 2 });

  it('names its parameters', () => {
    const shapes = paramShapes(graph);
    expect(shapes['inputProj.weight']).toEqual([12, 32]);
    expect(shapes['timestep.fc1.weight']).toEqual([16, 32]);
    expect(shapes['timestep.fc2.weight']).toEqual([32, 32]);
    expect(shapes['layers.1.attnResidual.modulation.weight']).toEqual([32, 96]);
    expect(shapes['layers.1.mlpResidual.modulation.bias']).toEqual([96]);
    expect(shapes['finalNorm.modulation.weight']).toEqual([32, 64]);
    expect(shapes['head.weight']).toEqual([32, 16]);
    // adaLN-Zero replaces the block norms: no gains.
    expect(Object.keys(shapes).filter((name) => name.endsWith('gamma'))).toEqual([]);
  });

  it('matches a dense float64 forward (timestep sinusoids, adaLN-Zero, final adaLN)', () => {
    const params = randomGraphParams(graph, 5);
    const x = randomTensor([2, 8, 12], { seed: 11, min: -1, max: 1 });
    const timesteps = [3, 517.5];
    const result = interpret(graph, { inputs: { x, timestep: tensor64([2], timesteps) }, params });
    const dense = denseDit(TINY_DIT, dataOf(params), x.data, timesteps);
    expect(relativeError(result.output!.data, dense)).toBeLessThan(1e-12);
  });

  it.each([
    ['adaLnZero', 'layers.0.attnResidual.modulation.weight', [32, 96]],
    ['adaLn', 'layers.0.attnNorm.modulation.weight', [32, 64]],
  ] as const)(
    'matches a dense float64 forward with class labels and %s blocks',
    (conditioningNorm, modulation, shape) => {
      const definition = { ...TINY_DIT, classes: 5, conditioningNorm };
      const conditioned = buildDitGraph(definition, { batch: 2 });
      const shapes = paramShapes(conditioned);
      expect(shapes.classEmbedding).toEqual([5, 32]);
      expect(shapes[modulation]).toEqual(shape);
      const params = randomGraphParams(conditioned, 12);
      const x = randomTensor([2, 8, 12], { seed: 13, min: -1, max: 1 });
      const timesteps = [41, 3.5];
      const labels = [4, 1];
      const result = interpret(conditioned, {
        inputs: { x, timestep: tensor64([2], timesteps), classLabels: tensor64([2], labels, 'i32') },
        params,
      });
      const dense = denseDit(definition, dataOf(params), x.data, timesteps, labels);
      expect(relativeError(result.output!.data, dense)).toBeLessThan(1e-12);
    },
  );

  it('refuses bad definitions naming the block and the option', () => {
    expect(() => buildDitGraph({ ...TINY_DIT, conditioningNorm: 'film' as never })).toThrow(
      /dit: unknown conditioningNorm/,
    );
    expect(() => buildDitGraph({ ...TINY_DIT, classes: 0 })).toThrow(/dit: option "classes"/);
    expect(() => buildDitGraph({ ...TINY_DIT, timestepFrequencies: 15 })).toThrow(
      /dit: option "timestepFrequencies" must be even/,
    );
    expect(() => buildDitGraph({ ...TINY_DIT, tokens: 0 })).toThrow(/dit: option "tokens"/);
    expect(() => buildDitGraph({ ...TINY_DIT, mlp: undefined as never })).toThrow(
      /dit: option "mlp" is missing/,
    );
  });
});

describe('encoder–decoder', () => {
  const forward = buildEncoderDecoderGraph(TINY_ENCODER_DECODER, { mode: 'forward' });

  it('names its parameters and cache state', () => {
    const shapes = paramShapes(forward.graph);
    expect(shapes['encoder.embedding.tokens']).toEqual([40, 32]);
    expect(shapes['encoder.layers.1.attn.wqkv']).toEqual([32, 96]);
    expect(shapes['encoder.finalNorm.gamma']).toEqual([32]);
    expect(shapes['decoder.embedding.positions']).toEqual([16, 32]);
    expect(shapes['decoder.layers.0.cross.wq']).toEqual([32, 32]);
    expect(shapes['decoder.layers.0.cross.wkv']).toEqual([32, 64]);
    expect(shapes['decoder.layers.0.crossNorm.gamma']).toEqual([32]);
    expect(shapes['head.weight']).toEqual([48, 32]);
    const step = buildEncoderDecoderGraph(TINY_ENCODER_DECODER, { mode: 'step' });
    expect(step.state['decoder.layers.1.attn.cache.key']).toBe('decoder.layers.1.attn.cache.key.next');
    expect(Object.keys(step.state)).toHaveLength(4);
  });

  it('matches a dense float64 forward (bidirectional encoder, causal decoder, cross-attention)', () => {
    const params = randomGraphParams(forward.graph, 6);
    const source = Array.from(randomIndices([9], 40, 1).data);
    const target = Array.from(randomIndices([7], 48, 2).data);
    const result = interpret(forward.graph, {
      inputs: { source: tensor64([1, 9], source, 'i32'), target: tensor64([1, 7], target, 'i32') },
      params,
      dims: { sourceSeq: 9, seq: 7 },
    });
    const dense = denseEncoderDecoder(TINY_ENCODER_DECODER, dataOf(params), [source], [target]);
    expect(relativeError(result.logits!.data, dense)).toBeLessThan(1e-12);
  });

  it('refuses bad definitions naming the block and the option', () => {
    expect(() =>
      buildEncoderDecoderGraph({ ...TINY_ENCODER_DECODER, maxTargetSeq: -1 }, { mode: 'forward' }),
    ).toThrow(/encoder-decoder: option "maxTargetSeq"/);
    expect(() =>
      buildEncoderDecoderGraph(
        {
          ...TINY_ENCODER_DECODER,
          decoderBlock: {
            ...TINY_ENCODER_DECODER.encoderBlock,
            attention: { heads: 4, headDim: 8, mask: causal(), windw: 2 } as never,
          },
        },
        { mode: 'forward' },
      ),
    ).toThrow(/unknown option "windw"/);
    expect(() => buildEncoderDecoderGraph(TINY_ENCODER_DECODER, { mode: 'decode' as never })).toThrow(
      /unknown mode/,
    );
    expect(() =>
      buildEncoderDecoderGraph(
        { ...TINY_ENCODER_DECODER, embeddingPositions: { kind: 'learned', max: 8 } },
        { mode: 'encode' },
      ),
    ).toThrow(/learned positions of 8 rows are fewer than encoder.embedding's 16 tokens/);
  });

  it('builds with sinusoidal positions and tied embeddings (no position tables, no head matrix)', () => {
    const definition = {
      ...TINY_ENCODER_DECODER,
      embeddingPositions: { kind: 'sinusoidal' as const },
      tieEmbeddings: true,
    };
    const { graph } = buildEncoderDecoderGraph(definition, { mode: 'forward' });
    const shapes = paramShapes(graph);
    expect(shapes['decoder.embedding.positions']).toBeUndefined();
    expect(shapes['head.weight']).toBeUndefined();
    const params = randomGraphParams(graph, 8);
    const result = interpret(graph, {
      inputs: { source: tensor64([1, 3], [1, 2, 3], 'i32'), target: tensor64([1, 2], [4, 5], 'i32') },
      params,
      dims: { sourceSeq: 3, seq: 2 },
    });
    expect(result.logits!.shape).toEqual([1, 2, 48]);
  });
});
