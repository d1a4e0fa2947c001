import { UnsupportedError } from '@weft/ir';
import type { OnnxModelSpec } from '@weft/ir/test';
import type { EncoderDecoderDefinition } from '../../architectures/encoder-decoder.js';
import { geluMlpOf, plainAttention } from './definition-parts.js';
import { OnnxGraphBuilder, type OnnxWeights } from './onnx-graph-builder.js';
import {
  onnxAttention,
  onnxCausalMask,
  onnxGeluMlp,
  onnxLayerNorm,
  onnxLinear,
  onnxSelfAttention,
  onnxSlice,
  onnxSplitHeads,
} from './onnx-layers.js';

/** The sequence lengths of one encoder–decoder run. */
export interface EncoderDecoderOnnxShape {
  readonly batch: number;
  readonly sourceSeq: number;
  readonly targetSeq: number;
}

/**
 * A pre-norm encoder–decoder transformer (Vaswani et al. 2017, with pre-norm as in T5 and later
 * models) as an ONNX graph of standard operators: token embeddings plus learned positions; the
 * encoder's bidirectional blocks `h += MHA(LN(h))`, `h += MLP(LN(h))` and a final
 * LayerNormalization give the memory; the decoder's blocks `h += causal MHA(LN(h))`,
 * `h += cross MHA(LN(h), memory)` (queries `cross.wq`, keys and values `cross.wkv` of the memory),
 * `h += MLP(LN(h))`, a final LayerNormalization and the LM head `h · head.weightᵀ` (LN ε 1e-5).
 *
 * Inputs `source` `[batch, sourceSeq]` and `target` `[batch, targetSeq]` (int64), output `logits`
 * `[batch, targetSeq, targetVocab]`. Plain MHA, GELU MLPs, LayerNorm and learned positions only
 * (the tiny definition's).
 */
export function encoderDecoderOnnx(
  definition: EncoderDecoderDefinition,
  weights: OnnxWeights,
  shape: EncoderDecoderOnnxShape,
): OnnxModelSpec {
  const { dModel } = definition;
  const { batch, sourceSeq, targetSeq } = shape;
  const positions = definition.embeddingPositions;
  if (
    positions?.kind !== 'learned' ||
    definition.tieEmbeddings === true ||
    definition.finalNorm === undefined
  )
    throw new UnsupportedError(
      'encoder-decoder ONNX model: written out with learned positions, final norms and a head',
    );
  if (definition.decoderBlock !== undefined)
    throw new UnsupportedError(
      'encoder-decoder ONNX model: written out with the encoder block in both stacks',
    );
  const attention = plainAttention(definition.encoderBlock.attention, 'encoder-decoder');
  const mlp = geluMlpOf(definition.encoderBlock.mlp, 'encoder-decoder');
  const graph = new OnnxGraphBuilder(weights);
  const eps = 1e-5;
  const norm = (x: string, name: string) => onnxLayerNorm(graph, x, dModel, eps, name);
  const embed = (tokens: string, vocab: number, length: number, name: string) =>
    graph.op('Add', [
      graph.op('Gather', [graph.weight(`${name}.tokens`, [vocab, dModel]), tokens]),
      onnxSlice(graph, graph.weight(`${name}.positions`, [positions.max, dModel]), 0, 0, length),
    ]);
  const block = (x: string, name: string, length: number, mask?: string) => {
    const attended = onnxSelfAttention(graph, norm(x, `${name}.attnNorm`), `${name}.attn`, {
      dModel,
      batch,
      length,
      ...attention,
      ...(mask === undefined ? {} : { scoring: { mask } }),
    });
    return graph.op('Add', [x, attended]);
  };
  const feedForward = (x: string, name: string) =>
    graph.op('Add', [
      x,
      onnxGeluMlp(graph, norm(x, `${name}.mlpNorm`), `${name}.mlp`, dModel, mlp.hidden, mlp.bias),
    ]);

  let memory = embed('source', definition.sourceVocabSize, sourceSeq, 'encoder.embedding');
  for (let layer = 0; layer < definition.encoderLayers; layer++) {
    const name = `encoder.layers.${layer}`;
    memory = feedForward(block(memory, name, sourceSeq), name);
  }
  memory = norm(memory, 'encoder.finalNorm');

  const { heads, headDim } = attention;
  const width = heads * headDim;
  const mask = onnxCausalMask(graph, targetSeq);
  let hidden = embed('target', definition.targetVocabSize, targetSeq, 'decoder.embedding');
  for (let layer = 0; layer < definition.decoderLayers; layer++) {
    const name = `decoder.layers.${layer}`;
    hidden = block(hidden, name, targetSeq, mask);
    const query = onnxLinear(graph, norm(hidden, `${name}.crossNorm`), `${name}.cross.wq`, [dModel, width]);
    const keysValues = onnxLinear(graph, memory, `${name}.cross.wkv`, [dModel, 2 * width]);
    const [key, value] = graph.ops('Split', [keysValues, graph.ints([width, width])], 2, {
      axis: { int: -1 },
    }) as [string, string];
    const attended = onnxAttention(
      graph,
      onnxSplitHeads(graph, query, batch, targetSeq, heads, headDim),
      onnxSplitHeads(graph, key, batch, sourceSeq, heads, headDim),
      onnxSplitHeads(graph, value, batch, sourceSeq, heads, headDim),
      { batch, queries: targetSeq, keys: sourceSeq, heads, headDim },
    );
    hidden = graph.op('Add', [hidden, onnxLinear(graph, attended, `${name}.cross.wo`, [width, dModel])]);
    hidden = feedForward(hidden, name);
  }
  const final = norm(hidden, 'decoder.finalNorm');
  const vocab = definition.targetVocabSize;
  const head = graph.op('Transpose', [graph.weight('head.weight', [vocab, dModel])], {
    perm: { ints: [1, 0] },
  });
  return graph.model(
    [
      { name: 'source', type: 'int64', shape: [batch, sourceSeq] },
      { name: 'target', type: 'int64', shape: [batch, targetSeq] },
    ],
    [
      {
        name: 'logits',
        type: 'float',
        shape: [batch, targetSeq, vocab],
        value: graph.op('MatMul', [final, head]),
      },
    ],
  );
}
