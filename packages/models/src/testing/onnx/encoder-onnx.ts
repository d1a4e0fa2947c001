import { UnsupportedError } from '@weft/ir';
import type { OnnxModelSpec } from '@weft/ir/test';
import type { EncoderDefinition } from '../../architectures/encoder.js';
import { geluMlpOf, plainAttention } from './definition-parts.js';
import { OnnxGraphBuilder, type OnnxWeights } from './onnx-graph-builder.js';
import { onnxGeluMlp, onnxLayerNorm, onnxLinear, onnxSelfAttention, onnxSlice } from './onnx-layers.js';

/**
 * A BERT-style encoder (Devlin et al. 2019) as an ONNX graph of standard operators: token, learned
 * position and token-type embeddings (Gather, Add) and a LayerNormalization (ε 1e-12); post-norm
 * blocks `h = LN(h + MHA(h))`, `h = LN(h + MLP(h))` whose attention drops keys at or past the
 * sequence's length (the additive mask `Where(Less(Range(seq), lengths), 0, −∞)`, built in the
 * graph from the input); the pooled output `tanh(W h_CLS + b)`.
 *
 * Inputs `tokens` and `tokenTypes` `[batch, seq]`, `lengths` `[batch]` (int64); outputs `hidden`
 * `[batch, seq, d]` and `pooled` `[batch, d]`. Plain MHA and GELU MLPs only (the tiny definition's).
 */
export function encoderOnnx(
  definition: EncoderDefinition,
  weights: OnnxWeights,
  batch: number,
  seq: number,
): OnnxModelSpec {
  const { vocabSize, dModel, maxSeq, typeVocabSize } = definition;
  if (typeVocabSize === undefined)
    throw new UnsupportedError('encoder ONNX model: written out with token types');
  const attention = plainAttention(definition.attention, 'encoder');
  const mlp = geluMlpOf(definition.mlp, 'encoder');
  const graph = new OnnxGraphBuilder(weights);
  const eps = 1e-12;

  const embedded = graph.op('Add', [
    graph.op('Add', [
      graph.op('Gather', [graph.weight('embedding.tokens', [vocabSize, dModel]), 'tokens']),
      onnxSlice(graph, graph.weight('embedding.positions', [maxSeq, dModel]), 0, 0, seq),
    ]),
    graph.op('Gather', [graph.weight('embedding.tokenTypes', [typeVocabSize, dModel]), 'tokenTypes']),
  ]);
  let hidden = onnxLayerNorm(graph, embedded, dModel, eps, 'embedding.norm');

  // Keys k < lengths[b] are kept: [batch, 1, 1, seq] additive mask.
  const scalar = (value: number) => graph.constant([value], [], 'int64');
  const positions = graph.op('Range', [scalar(0), scalar(seq), scalar(1)]);
  const keep = graph.op('Less', [positions, graph.op('Unsqueeze', ['lengths', graph.ints([1])])]);
  const mask = graph.op('Unsqueeze', [
    graph.op('Where', [keep, graph.scalar(0), graph.scalar(-Infinity)]),
    graph.ints([1, 2]),
  ]);

  for (let layer = 0; layer < definition.layers; layer++) {
    const name = `layers.${layer}`;
    const attended = onnxSelfAttention(graph, hidden, `${name}.attn`, {
      dModel,
      batch,
      length: seq,
      ...attention,
      scoring: { mask },
    });
    hidden = onnxLayerNorm(graph, graph.op('Add', [hidden, attended]), dModel, eps, `${name}.attnNorm`);
    const transformed = onnxGeluMlp(graph, hidden, `${name}.mlp`, dModel, mlp.hidden, mlp.bias);
    hidden = onnxLayerNorm(graph, graph.op('Add', [hidden, transformed]), dModel, eps, `${name}.mlpNorm`);
  }
  const cls = graph.op('Squeeze', [onnxSlice(graph, hidden, 1, 0, 1), graph.ints([1])]);
  const pooled = graph.op('Tanh', [onnxLinear(graph, cls, 'pooler.weight', [dModel, dModel], 'pooler.bias')]);
  return graph.model(
    [
      { name: 'tokens', type: 'int64', shape: [batch, seq] },
      { name: 'tokenTypes', type: 'int64', shape: [batch, seq] },
      { name: 'lengths', type: 'int64', shape: [batch] },
    ],
    [
      { name: 'hidden', type: 'float', shape: [batch, seq, dModel], value: hidden },
      { name: 'pooled', type: 'float', shape: [batch, dModel], value: pooled },
    ],
  );
}
