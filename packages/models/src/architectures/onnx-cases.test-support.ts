/**
 * The five architectures' comparison cases against onnxruntime: per case the Weft graph of a tiny
 * definition, seeded random f32 weights, seeded random inputs, and the ONNX model of the same
 * definition over the same weights. Shared by the CPU-backend and the device tests.
 */
import type { Graph } from '@weft/ir';
import { type OnnxModelSpec, randomIndices, randomTensor } from '@weft/ir/test';
import { buildDecoderGraph } from '../model/decoder-graph.js';
import { buildDecoderLmGraph } from '../model/decoder-lm-graph.js';
import { parseModelSpec } from '../spec/model-spec-json.js';
import type { ModelSpecInput } from '../spec/model-spec-types.js';
import { HYBRID_DECODER } from '../testing/hybrid-decoder.js';
import { decoderLmOnnx } from '../testing/onnx/decoder-lm-onnx.js';
import { ditOnnx } from '../testing/onnx/dit-onnx.js';
import { encoderDecoderOnnx } from '../testing/onnx/encoder-decoder-onnx.js';
import { encoderOnnx } from '../testing/onnx/encoder-onnx.js';
import { hybridDecoderOnnx } from '../testing/onnx/hybrid-decoder-onnx.js';
import { vitOnnx } from '../testing/onnx/vit-onnx.js';
import { TINY_DIT, TINY_ENCODER, TINY_ENCODER_DECODER, TINY_VIT } from '../testing/tiny-architectures.js';
import { TINY_GPT, TINY_LLAMA } from '../testing/tiny-specs.js';
import { buildDitGraph } from './dit.js';
import { buildEncoderGraph } from './encoder.js';
import { buildEncoderDecoderGraph } from './encoder-decoder.js';
import { type ComparisonInputs, f32Params, floatInput, indexInput } from './onnx-comparison.test-support.js';
import { buildVitGraph } from './vit.js';

/** One architecture, built: what both sides run. */
export interface OnnxCase {
  readonly graph: Graph;
  readonly params: Record<string, Float32Array>;
  readonly inputs: ComparisonInputs;
  readonly onnx: OnnxModelSpec;
}

const tokenRow = (length: number, vocab: number, seed: number) =>
  Array.from(randomIndices([length], vocab, seed).data);

function decoderCase(spec: ModelSpecInput, seed: number): OnnxCase {
  const config = parseModelSpec(spec).config;
  const { graph } = buildDecoderLmGraph(config, { mode: 'forward' });
  const params = f32Params(graph, seed);
  const seq = config.maxSeq;
  const tokens = indexInput([1, seq], tokenRow(seq, config.vocabSize, seed));
  return {
    graph,
    params,
    inputs: { weft: { tokens: tokens.weft }, dims: { seq }, onnx: { tokens: tokens.onnx } },
    onnx: decoderLmOnnx(config, params, seq),
  };
}

/** HYBRID_DECODER; its ONNX model takes the definition's numbers, written out here. */
function hybridDecoderCase(seed: number): OnnxCase {
  const { graph } = buildDecoderGraph(HYBRID_DECODER, { mode: 'forward' });
  const params = f32Params(graph, seed);
  const { vocabSize, dModel, layers, maxSeq } = HYBRID_DECODER;
  const seq = maxSeq;
  const tokens = indexInput([1, seq], tokenRow(seq, vocabSize, seed));
  const shape = {
    vocabSize,
    dModel,
    layers,
    maxSeq,
    heads: 4,
    kvHeads: 2,
    headDim: 8,
    hidden: 48,
    eps: 1e-6,
    softcap: 20,
    window: 4,
  };
  return {
    graph,
    params,
    inputs: { weft: { tokens: tokens.weft }, dims: { seq }, onnx: { tokens: tokens.onnx } },
    onnx: hybridDecoderOnnx(shape, params, seq),
  };
}

function encoderCase(seed: number): OnnxCase {
  const [batch, seq] = [2, 12];
  const graph = buildEncoderGraph(TINY_ENCODER, { batch });
  const params = f32Params(graph, seed);
  const tokenIds = [
    ...tokenRow(seq, TINY_ENCODER.vocabSize, seed),
    ...tokenRow(seq, TINY_ENCODER.vocabSize, seed + 1),
  ];
  const typeIds = tokenIds.map((_, i) => (i % seq < 7 ? 0 : 1));
  const tokens = indexInput([batch, seq], tokenIds);
  const tokenTypes = indexInput([batch, seq], typeIds);
  const lengths = indexInput([batch], [seq, 5]);
  return {
    graph,
    params,
    inputs: {
      weft: { tokens: tokens.weft, tokenTypes: tokenTypes.weft, lengths: lengths.weft },
      dims: { seq },
      onnx: { tokens: tokens.onnx, tokenTypes: tokenTypes.onnx, lengths: lengths.onnx },
    },
    onnx: encoderOnnx(TINY_ENCODER, params, batch, seq),
  };
}

function vitCase(seed: number): OnnxCase {
  const batch = 2;
  const graph = buildVitGraph(TINY_VIT, { batch });
  const params = f32Params(graph, seed);
  const shape = [batch, TINY_VIT.channels, 8, 12];
  const pixels = floatInput(shape, randomTensor(shape, { seed, min: -1, max: 1 }).data);
  return {
    graph,
    params,
    inputs: { weft: { pixels: pixels.weft }, onnx: { pixels: pixels.onnx } },
    onnx: vitOnnx(TINY_VIT, params, batch),
  };
}

function ditCase(seed: number): OnnxCase {
  const batch = 2;
  const graph = buildDitGraph(TINY_DIT, { batch });
  const params = f32Params(graph, seed);
  const shape = [batch, TINY_DIT.tokens, TINY_DIT.inFeatures];
  const x = floatInput(shape, randomTensor(shape, { seed, min: -1, max: 1 }).data);
  const timestep = floatInput([batch], [7, 731.5]);
  return {
    graph,
    params,
    inputs: { weft: { x: x.weft, timestep: timestep.weft }, onnx: { x: x.onnx, timestep: timestep.onnx } },
    onnx: ditOnnx(TINY_DIT, params, batch),
  };
}

function encoderDecoderCase(seed: number): OnnxCase {
  const [batch, sourceSeq, targetSeq] = [2, 11, 9];
  const definition = TINY_ENCODER_DECODER;
  const { graph } = buildEncoderDecoderGraph(definition, { mode: 'forward', batch });
  const params = f32Params(graph, seed);
  const source = indexInput(
    [batch, sourceSeq],
    [
      ...tokenRow(sourceSeq, definition.sourceVocabSize, seed),
      ...tokenRow(sourceSeq, definition.sourceVocabSize, seed + 1),
    ],
  );
  const target = indexInput(
    [batch, targetSeq],
    [
      ...tokenRow(targetSeq, definition.targetVocabSize, seed + 2),
      ...tokenRow(targetSeq, definition.targetVocabSize, seed + 3),
    ],
  );
  return {
    graph,
    params,
    inputs: {
      weft: { source: source.weft, target: target.weft },
      dims: { sourceSeq, seq: targetSeq },
      onnx: { source: source.onnx, target: target.onnx },
    },
    onnx: encoderDecoderOnnx(definition, params, { batch, sourceSeq, targetSeq }),
  };
}

/** The cases by label, each with its own seed (weights and inputs drawn fresh from it). */
export const ONNX_CASES: readonly { readonly label: string; readonly build: () => OnnxCase }[] = [
  { label: 'decoder LM (tiny Llama: RoPE, GQA, RMSNorm, SwiGLU)', build: () => decoderCase(TINY_LLAMA, 41) },
  {
    label: 'decoder LM (tiny GPT: learned positions, LayerNorm, GELU, tied head)',
    build: () => decoderCase(TINY_GPT, 42),
  },
  {
    label: 'decoder LM (HYBRID_DECODER: sigmoid + ALiBi / softmax + RoPE + sliding window, softcap, GQA)',
    build: () => hybridDecoderCase(47),
  },
  {
    label: 'encoder (BERT style: post-norm, padding mask, token types, pooler)',
    build: () => encoderCase(43),
  },
  { label: 'ViT (conv patches, class token, learned positions)', build: () => vitCase(44) },
  { label: 'DiT blocks (timestep embedding, adaLN-Zero, final adaLN)', build: () => ditCase(45) },
  { label: 'encoder–decoder (teacher forcing, cross-attention)', build: () => encoderDecoderCase(46) },
];
