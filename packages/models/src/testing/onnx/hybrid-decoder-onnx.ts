import { UnsupportedError } from '@weft/ir';
import type { OnnxModelSpec } from '@weft/ir/test';
import { OnnxGraphBuilder, type OnnxWeights } from './onnx-graph-builder.js';
import {
  type OnnxScoring,
  onnxCausalMask,
  onnxGatedMlp,
  onnxRmsNorm,
  onnxRopeHalf,
  onnxSelfAttention,
} from './onnx-layers.js';

/** The sizes and settings of the hybrid decoder, as plain numbers. */
export interface HybridDecoderOnnxShape {
  readonly vocabSize: number;
  readonly dModel: number;
  readonly layers: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  /** SwiGLU hidden width. */
  readonly hidden: number;
  /** RMSNorm ε. */
  readonly eps: number;
  /** The softcap of every layer's scores. */
  readonly softcap: number;
  /** Keys of the odd layers' causal sliding window, the query's own included. */
  readonly window: number;
  /** The longest sequence: the sigmoid layers' bias is −log(maxSeq). */
  readonly maxSeq: number;
}

/**
 * A pre-norm decoder whose layers alternate two attentions, as an ONNX graph of standard
 * operators. Every layer: RMSNorm, GQA self-attention with scores `cap · tanh((q kᵀ/√dk) / cap)`
 * (softcap, Gemma 2), SwiGLU MLP. Even layers: ALiBi (Press et al. 2022), `−m_h · |i − j|` with the
 * slopes `m_h = 2^(−8(h+1)/H)`, added after the softcap, then sigmoid attention (Ramapuram et al.
 * 2024) `σ(s − log(maxSeq))` over the causal keys, unnormalized. Odd layers: RoPE (half layout),
 * softmax over a causal sliding window `i − window < j ≤ i` (Mistral).
 *
 * Input `tokens` `[1, seq]` (int64), output `logits` `[1, seq, vocab]`; weights by Weft's names
 * (`layers.{i}.attnNorm.gamma`, `layers.{i}.attn.wqkv`, `layers.{i}.mlp.wGateUp`, `finalNorm.gamma`,
 * `head.weight` `[vocab, d]` used as `h · Wᵀ`).
 */
export function hybridDecoderOnnx(
  shape: HybridDecoderOnnxShape,
  weights: OnnxWeights,
  seq: number,
): OnnxModelSpec {
  const { vocabSize, dModel, heads, kvHeads, headDim, eps, softcap } = shape;
  if (!Number.isInteger(Math.log2(heads)))
    throw new UnsupportedError(
      'hybrid decoder ONNX model: ALiBi slopes written out for a power-of-two head count',
    );
  const graph = new OnnxGraphBuilder(weights);
  const capped = (scores: string) =>
    graph.op('Mul', [
      graph.op('Tanh', [graph.op('Mul', [scores, graph.scalar(1 / softcap)])]),
      graph.scalar(softcap),
    ]);
  const alibi: number[] = [];
  for (let h = 0; h < heads; h++)
    for (let i = 0; i < seq; i++)
      for (let j = 0; j < seq; j++) alibi.push(-(2 ** ((-8 * (h + 1)) / heads)) * Math.abs(i - j));
  const alibiBias = graph.constant(alibi, [heads, seq, seq]);
  const windowed: number[] = [];
  for (let i = 0; i < seq; i++)
    for (let j = 0; j < seq; j++) windowed.push(j <= i && j > i - shape.window ? 0 : -Infinity);
  const sigmoidLayers: OnnxScoring = {
    scores: (scores) => graph.op('Add', [capped(scores), alibiBias]),
    mask: onnxCausalMask(graph, seq),
    weights: (scores) =>
      graph.op('Sigmoid', [graph.op('Add', [scores, graph.scalar(-Math.log(shape.maxSeq))])]),
  };
  const softmaxLayers: OnnxScoring = { scores: capped, mask: graph.constant(windowed, [seq, seq]) };
  const rotate = onnxRopeHalf(graph, seq, headDim, 10_000);

  let hidden = graph.op('Gather', [graph.weight('embedding.tokens', [vocabSize, dModel]), 'tokens']);
  for (let layer = 0; layer < shape.layers; layer++) {
    const name = `layers.${layer}`;
    const even = layer % 2 === 0;
    const attended = onnxSelfAttention(
      graph,
      onnxRmsNorm(graph, hidden, dModel, eps, `${name}.attnNorm`),
      `${name}.attn`,
      {
        dModel,
        batch: 1,
        length: seq,
        heads,
        kvHeads,
        headDim,
        scoring: even ? sigmoidLayers : softmaxLayers,
        ...(even ? {} : { transform: rotate }),
      },
    );
    hidden = graph.op('Add', [hidden, attended]);
    const normed = onnxRmsNorm(graph, hidden, dModel, eps, `${name}.mlpNorm`);
    hidden = graph.op('Add', [
      hidden,
      onnxGatedMlp(graph, normed, `${name}.mlp`, dModel, shape.hidden, 'swiglu'),
    ]);
  }
  const final = onnxRmsNorm(graph, hidden, dModel, eps, 'finalNorm');
  const head = graph.op('Transpose', [graph.weight('head.weight', [vocabSize, dModel])], {
    perm: { ints: [1, 0] },
  });
  return graph.model(
    [{ name: 'tokens', type: 'int64', shape: [1, seq] }],
    [{ name: 'logits', type: 'float', shape: [1, seq, vocabSize], value: graph.op('MatMul', [final, head]) }],
  );
}
