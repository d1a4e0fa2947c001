import {
  alibi,
  attention as attentionSpec,
  qkNorm,
  rope,
  sigmoid,
  slidingWindow,
  softcap,
} from '@weft/attention';
import { attention } from '@weft/attention/kernels';
import { type Graph, input, makeGraph, symbolicDim } from '@weft/ir';
import { randomIndices, randomTensor } from '@weft/ir/test';
import { expectMatchesReference, getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import { randomGraphParams } from '../testing/random-graph-params.js';
import { adaptiveLayerNorm } from './conditional-norm-layers.js';
import { crossAttention } from './cross-attention.js';
import { lmHead } from './lm-head.js';
import { mlp } from './mlp.js';
import { scaleNormLayer } from './norm-layers.js';
import { decoderStack, encoderStack } from './stacks.js';
import { tokenEmbedding } from './token-embedding.js';
import { type TransformerBlockOptions, transformerBlock } from './transformer-block.js';

// Whole blocks on the device vs the float64 reference interpreter, seeded random inputs and
// parameters (gains and biases included). f32 kernels land near 1e-5 normwise; sums over d = 32
// and the softmax keep every case below the stated tolerances.
const TOLERANCE = { rtol: 1e-4, atol: 1e-5 };
/** RoPE and sinusoids: SwiftShader's f32 sin/cos of angles of several radians lose a few bits (see the attention tests). */
const TRIG_TOLERANCE = { rtol: 1e-3, atol: 1e-4 };

const seq = symbolicDim('seq', { max: 16 });
const width = 32;
const x = input('x', [1, seq, width]);
const xData = randomTensor([1, 6, width], { seed: 3 });
const base: TransformerBlockOptions = {
  attention: { heads: 4, kvHeads: 2, headDim: 8 },
  mlp: { kind: 'swiglu', hidden: 48 },
  norm: { kind: 'rmsnorm', eps: 1e-6 },
};

async function check(
  label: string,
  graph: Graph,
  inputs: Record<string, ReturnType<typeof randomTensor>>,
  tolerance = TOLERANCE,
) {
  const device = await getTestDevice();
  const { worstRelativeError, program } = await expectMatchesReference(graph, device, {
    inputs,
    params: randomGraphParams(graph, 11),
    dims: { seq: 6 },
    extensions: [attention],
    ...tolerance,
    label,
  });
  program.destroy();
  console.info(`${label}: worst relative error ${worstRelativeError.toExponential(2)}`);
  expect(worstRelativeError).toBeLessThan(tolerance.rtol);
}

describe('transformer blocks on the device vs the float64 reference', () => {
  const placements: [string, TransformerBlockOptions][] = [
    ['pre-norm RMSNorm, SwiGLU, GQA, causal NoPE', base],
    [
      'post-norm LayerNorm, GELU MLP, MHA',
      {
        ...base,
        attention: { heads: 4, headDim: 8 },
        mlp: { kind: 'gelu', hidden: 64 },
        norm: { kind: 'layernorm', placement: 'post' },
      },
    ],
    [
      'sandwich norm, GeGLU, ALiBi',
      {
        ...base,
        attention: { ...base.attention, positions: alibi() },
        mlp: { kind: 'geglu', hidden: 40 },
        norm: { kind: 'rmsnorm', placement: 'sandwich' },
      },
    ],
    [
      'LayerScale residual, QKV bias, bidirectional',
      {
        ...base,
        attention: { ...base.attention, causal: false, bias: true },
        residual: { kind: 'layerScale' },
      },
    ],
  ];
  for (const [label, options] of placements) {
    it(label, async () => {
      await check(label, makeGraph({ y: transformerBlock(x, options, 'layers.0').output }), { x: xData });
    });
  }

  it('RoPE attention block', async () => {
    const options = { ...base, attention: { ...base.attention, positions: rope() } };
    await check(
      'rope',
      makeGraph({ y: transformerBlock(x, options, 'layers.0').output }),
      { x: xData },
      TRIG_TOLERANCE,
    );
  });

  it("nGPT's hypersphere block with its spherical residual", async () => {
    const options: TransformerBlockOptions = { ...base, norm: { kind: 'hypersphere', alphaScale: 0.5 } };
    await check('hypersphere', makeGraph({ y: transformerBlock(x, options, 'layers.0').output }), {
      x: xData,
    });
  });

  it('a spec value: sigmoid + ALiBi + softcap + QK norm, decoupled value heads, ScaleNorm sandwich', async () => {
    const spec = attentionSpec({
      heads: 4,
      kvHeads: 2,
      valueHeads: 4,
      headDim: 8,
      valueDim: 4,
      positions: alibi(),
      qkNorm: qkNorm(),
      score: softcap(5),
      normalizer: sigmoid(),
      mask: slidingWindow(3),
    });
    const options: TransformerBlockOptions = {
      ...base,
      attention: spec,
      mlp: { kind: 'relu2', hidden: 40 },
      norm: { layer: scaleNormLayer(), placement: 'sandwich' },
    };
    await check('spec value', makeGraph({ y: transformerBlock(x, options, 'layers.0').output }), {
      x: xData,
    });
  });

  it('adaptive LayerNorm fed by the block condition', async () => {
    const condition = input('c', [1, 16]);
    const options: TransformerBlockOptions = { ...base, norm: adaptiveLayerNorm(), condition };
    const graph = makeGraph({ y: transformerBlock(x, options, 'blocks.0').output });
    await check('adaLN', graph, { x: xData, c: randomTensor([1, 16], { seed: 6 }) });
  });

  it('adaLN-Zero gated residuals conditioned on a vector', async () => {
    const condition = input('c', [1, 16]);
    const options: TransformerBlockOptions = { ...base, residual: { kind: 'adaLnZero', condition } };
    const graph = makeGraph({ y: transformerBlock(x, options, 'blocks.0').output });
    await check('adaLnZero', graph, { x: xData, c: randomTensor([1, 16], { seed: 5 }) });
  });
});

describe('embeddings, MLPs, cross-attention, stacks and heads on the device', () => {
  const tokens = input('tokens', [1, seq], 'i32');
  const positions = input('positions', [1, seq], 'i32');
  const tokenData = randomIndices([1, 6], 50, 9);
  const positionData = { shape: [1, 6], dtype: 'i32' as const, data: Float64Array.from([3, 4, 5, 6, 7, 8]) };

  it('token embedding with learned and sinusoidal positions, and a tied LM head', async () => {
    const learned = tokenEmbedding(tokens, {
      vocabSize: 50,
      dModel: width,
      positions: { kind: 'learned', max: 16 },
      positionIds: positions,
    });
    const sinusoidal = tokenEmbedding(tokens, {
      vocabSize: 50,
      dModel: width,
      positions: { kind: 'sinusoidal' },
      positionIds: positions,
      name: 'other',
    });
    const logits = lmHead(learned, { vocabSize: 50, tied: true });
    const graph = makeGraph({ learned, sinusoidal, logits });
    await check('embeddings', graph, { tokens: tokenData, positions: positionData }, TRIG_TOLERANCE);
  });

  it('MLP variants with biases', async () => {
    const graph = makeGraph({
      gelu: mlp(x, { kind: 'gelu', hidden: 40, bias: true }, 'a'),
      swiglu: mlp(x, { kind: 'swiglu', hidden: 24, bias: true }, 'b'),
      geglu: mlp(x, { kind: 'geglu', hidden: 24 }, 'c'),
      relu2: mlp(x, { kind: 'relu2', hidden: 40, bias: true }, 'd'),
    });
    await check('mlps', graph, { x: xData });
  });

  it('cross-attention, an encoder stack and a decoder stack', async () => {
    const memory = input('memory', [1, 5, 24]);
    const source = input('source', [1, 5, width]);
    const encoded = encoderStack(source, 1, base, 'encoder');
    const graph = makeGraph({
      cross: crossAttention(x, memory, { heads: 4, kvHeads: 1, headDim: 8 }, 'cross'),
      decoded: decoderStack(x, encoded, 1, base, 'decoder'),
    });
    await check('stacks', graph, {
      x: xData,
      memory: randomTensor([1, 5, 24], { seed: 21 }),
      source: randomTensor([1, 5, width], { seed: 22 }),
    });
  });
});
