import { UnsupportedError } from '@weft/ir';
import type { OnnxModelSpec } from '@weft/ir/test';
import type { DecoderLmConfig } from '../../spec/model-spec-types.js';
import { OnnxGraphBuilder, type OnnxWeights } from './onnx-graph-builder.js';
import {
  onnxCausalMask,
  onnxGatedMlp,
  onnxGeluMlp,
  onnxLayerNorm,
  onnxRmsNorm,
  onnxRopeHalf,
  onnxSelfAttention,
  onnxSlice,
} from './onnx-layers.js';

/**
 * A decoder-only LM of a version-1 config (pre-norm; Llama: RMSNorm, RoPE, GQA, SwiGLU; GPT-2:
 * LayerNorm, learned positions, GELU, tied head) as an ONNX graph of standard operators, for
 * onnxruntime. RoPE is written out in the `half` layout with Slice, Neg and Concat ({@link onnxRopeHalf}).
 *
 * Input `tokens` `[1, seq]` (int64), output `logits` `[1, seq, vocab]`; weights by Weft's
 * parameter names (`embedding.tokens`, `layers.{i}.attn.wqkv`, `layers.{i}.mlp.wGateUp`, ...,
 * `head.weight` `[vocab, d]` used as `h · Wᵀ`).
 */
export function decoderLmOnnx(config: DecoderLmConfig, weights: OnnxWeights, seq: number): OnnxModelSpec {
  if (config.norm.placement !== 'pre')
    throw new UnsupportedError(
      `decoder ONNX model: norm placement ${config.norm.placement} is not written out`,
    );
  const { vocabSize, dModel, heads, kvHeads, headDim } = config;
  const graph = new OnnxGraphBuilder(weights);
  const norm = (x: string, name: string) =>
    config.norm.kind === 'rmsnorm'
      ? onnxRmsNorm(graph, x, dModel, config.norm.eps, name)
      : onnxLayerNorm(graph, x, dModel, config.norm.eps, name);

  const { positions } = config;
  let hidden = graph.op('Gather', [graph.weight('embedding.tokens', [vocabSize, dModel]), 'tokens']);
  if (positions.kind === 'learned') {
    const table = graph.weight('embedding.positions', [positions.max, dModel]);
    hidden = graph.op('Add', [hidden, onnxSlice(graph, table, 0, 0, seq)]);
  }
  if (positions.kind !== 'rope' && positions.kind !== 'learned')
    throw new UnsupportedError(`decoder ONNX model: positions ${positions.kind} are not written out`);
  if (positions.kind === 'rope' && (positions.fraction ?? 1) !== 1)
    throw new UnsupportedError('decoder ONNX model: partial RoPE (fraction < 1) is not written out');
  const rotate =
    positions.kind === 'rope' ? onnxRopeHalf(graph, seq, headDim, positions.base ?? 10_000) : undefined;

  const mask = onnxCausalMask(graph, seq);
  for (let layer = 0; layer < config.layers; layer++) {
    const name = `layers.${layer}`;
    const attended = onnxSelfAttention(graph, norm(hidden, `${name}.attnNorm`), `${name}.attn`, {
      dModel,
      batch: 1,
      length: seq,
      heads,
      kvHeads,
      headDim,
      scoring: { mask },
      ...(rotate === undefined ? {} : { transform: rotate }),
    });
    hidden = graph.op('Add', [hidden, attended]);
    const normed = norm(hidden, `${name}.mlpNorm`);
    const { kind, hidden: width } = config.mlp;
    const mlp =
      kind === 'gelu'
        ? onnxGeluMlp(graph, normed, `${name}.mlp`, dModel, width)
        : onnxGatedMlp(graph, normed, `${name}.mlp`, dModel, width, kind);
    hidden = graph.op('Add', [hidden, mlp]);
  }
  const final = norm(hidden, 'finalNorm');
  const head = graph.weight(config.tieEmbeddings ? 'embedding.tokens' : 'head.weight', [vocabSize, dModel]);
  const logits = graph.op('MatMul', [final, graph.op('Transpose', [head], { perm: { ints: [1, 0] } })]);
  return graph.model(
    [{ name: 'tokens', type: 'int64', shape: [1, seq] }],
    [{ name: 'logits', type: 'float', shape: [1, seq, vocabSize], value: logits }],
  );
}
