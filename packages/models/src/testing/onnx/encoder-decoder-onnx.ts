import { UnsupportedError } from '@weft/ir';
import type { OnnxModelSpec, OnnxValueInfo } from '@weft/ir/test';
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
  /** Target tokens of this run (the new ones when `past` is given). */
  readonly targetSeq: number;
  /**
   * Decode with a self-attention KV cache of `past` earlier target positions: the run's tokens sit
   * at positions `past … past + targetSeq − 1`, each decoder layer takes the cache as inputs
   * `past_key.N`, `past_value.N` `[batch, heads, past, headDim]` (none when `past` is 0) and
   * returns it with this run's keys and values appended, `present_key.N`, `present_value.N`
   * `[batch, heads, past + targetSeq, headDim]`. Absent: teacher forcing, no cache.
   */
  readonly past?: number;
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
 * (the tiny definition's). With `shape.past`, the decoding step of the usual ONNX export
 * (`past_key_values` in, `present` out): keys and values concatenated onto the cache along the
 * sequence axis, the causal mask `[targetSeq, past + targetSeq]` letting new query i see key
 * j ≤ past + i; the memory is recomputed from `source`.
 */
export function encoderDecoderOnnx(
  definition: EncoderDecoderDefinition,
  weights: OnnxWeights,
  shape: EncoderDecoderOnnxShape,
): OnnxModelSpec {
  const { dModel } = definition;
  const { batch, sourceSeq, targetSeq } = shape;
  const past = shape.past ?? 0;
  const cached = shape.past !== undefined;
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
  const embed = (tokens: string, vocab: number, length: number, name: string, first = 0) =>
    graph.op('Add', [
      graph.op('Gather', [graph.weight(`${name}.tokens`, [vocab, dModel]), tokens]),
      onnxSlice(graph, graph.weight(`${name}.positions`, [positions.max, dModel]), 0, first, first + length),
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
  const mask = cached ? cacheCausalMask(graph, targetSeq, past) : onnxCausalMask(graph, targetSeq);
  let hidden = embed('target', definition.targetVocabSize, targetSeq, 'decoder.embedding', past);
  const cacheInputs: OnnxValueInfo[] = [];
  const cacheOutputs: (OnnxValueInfo & { value: string })[] = [];
  for (let layer = 0; layer < definition.decoderLayers; layer++) {
    const name = `decoder.layers.${layer}`;
    if (cached) {
      // Self-attention over the cache and this run's keys and values (the textbook KV cache).
      const qkv = onnxLinear(
        graph,
        norm(hidden, `${name}.attnNorm`),
        `${name}.attn.wqkv`,
        [dModel, 3 * width],
        attention.bias === true ? `${name}.attn.bqkv` : undefined,
      );
      const [q, k, v] = graph.ops('Split', [qkv, graph.ints([width, width, width])], 3, {
        axis: { int: -1 },
      }) as [string, string, string];
      const cacheShape = (length: number) => [batch, heads, length, headDim];
      const appended = (fresh: string, kind: 'key' | 'value') => {
        const split = onnxSplitHeads(graph, fresh, batch, targetSeq, heads, headDim);
        if (past === 0) return split;
        const input = `past_${kind}.${layer}`;
        cacheInputs.push({ name: input, type: 'float', shape: cacheShape(past) });
        return graph.op('Concat', [input, split], { axis: { int: 2 } });
      };
      const [keys, values] = [appended(k, 'key'), appended(v, 'value')];
      for (const [kind, value] of [
        ['key', keys],
        ['value', values],
      ] as const)
        cacheOutputs.push({
          name: `present_${kind}.${layer}`,
          type: 'float',
          shape: cacheShape(past + targetSeq),
          value,
        });
      const attended = onnxAttention(
        graph,
        onnxSplitHeads(graph, q, batch, targetSeq, heads, headDim),
        keys,
        values,
        { batch, queries: targetSeq, keys: past + targetSeq, heads, headDim },
        { mask },
      );
      hidden = graph.op('Add', [
        hidden,
        onnxLinear(
          graph,
          attended,
          `${name}.attn.wo`,
          [width, dModel],
          attention.outputBias === true ? `${name}.attn.bo` : undefined,
        ),
      ]);
    } else hidden = block(hidden, name, targetSeq, mask);
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
      ...cacheInputs,
    ],
    [
      {
        name: 'logits',
        type: 'float',
        shape: [batch, targetSeq, vocab],
        value: graph.op('MatMul', [final, head]),
      },
      ...cacheOutputs,
    ],
  );
}

/** An additive mask `[length, past + length]`: new query i sees key j ≤ past + i. */
function cacheCausalMask(graph: OnnxGraphBuilder, length: number, past: number): string {
  const values: number[] = [];
  for (let i = 0; i < length; i++)
    for (let j = 0; j < past + length; j++) values.push(j <= past + i ? 0 : -Infinity);
  return graph.constant(values, [length, past + length]);
}
