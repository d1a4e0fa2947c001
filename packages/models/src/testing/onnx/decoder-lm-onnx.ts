import { UnsupportedError } from '@weft/ir';
import type { OnnxModelSpec } from '@weft/ir/test';
import type { DecoderLmConfig } from '../../spec/model-spec-types.js';
import { OnnxGraphBuilder, type OnnxWeights } from './onnx-graph-builder.js';
import {
  onnxCausalMask,
  onnxGelu,
  onnxGeluMlp,
  onnxLayerNorm,
  onnxLinear,
  onnxRmsNorm,
  onnxSelfAttention,
  onnxSilu,
  onnxSlice,
} from './onnx-layers.js';

/**
 * A decoder-only LM of a version-1 config (pre-norm; Llama: RMSNorm, RoPE, GQA, SwiGLU; GPT-2:
 * LayerNorm, learned positions, GELU, tied head) as an ONNX graph of standard operators, for
 * onnxruntime. RoPE is written out in the `half` layout of GPT-NeoX / Hugging Face Llama
 * (Su et al. 2021): dim i pairs with i + dk/2 at angle `pos · base^(−2i/dk)`,
 * `x·cos + rotate_half(x)·sin` with `rotate_half(x) = [−x₂, x₁]` by Slice, Neg and Concat; the
 * cos and sin tables are computed here in float64.
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

  let hidden = graph.op('Gather', [graph.weight('embedding.tokens', [vocabSize, dModel]), 'tokens']);
  if (config.positions.kind === 'learned') {
    const table = graph.weight('embedding.positions', [config.positions.max, dModel]);
    hidden = graph.op('Add', [hidden, onnxSlice(graph, table, 0, 0, seq)]);
  }
  const rotate =
    config.positions.kind === 'rope' ? ropeHalf(graph, seq, headDim, config.positions) : undefined;
  if (config.positions.kind !== 'rope' && config.positions.kind !== 'learned')
    throw new UnsupportedError(`decoder ONNX model: positions ${config.positions.kind} are not written out`);

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
      mask,
      ...(rotate === undefined ? {} : { transform: rotate }),
    });
    hidden = graph.op('Add', [hidden, attended]);
    const normed = norm(hidden, `${name}.mlpNorm`);
    const { kind, hidden: width } = config.mlp;
    let mlp: string;
    if (kind === 'gelu') mlp = onnxGeluMlp(graph, normed, `${name}.mlp`, dModel, width);
    else {
      // Gated: gate columns first, then up (one [d, 2·hidden] weight).
      const both = onnxLinear(graph, normed, `${name}.mlp.wGateUp`, [dModel, 2 * width]);
      const [gate, up] = graph.ops('Split', [both, graph.ints([width, width])], 2, { axis: { int: -1 } }) as [
        string,
        string,
      ];
      const activated = graph.op('Mul', [
        kind === 'swiglu' ? onnxSilu(graph, gate) : onnxGelu(graph, gate),
        up,
      ]);
      mlp = onnxLinear(graph, activated, `${name}.mlp.wDown`, [width, dModel]);
    }
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

/** RoPE in the half layout over heads `[B, H, seq, dk]`, positions 0..seq−1. */
function ropeHalf(
  graph: OnnxGraphBuilder,
  seq: number,
  headDim: number,
  positions: { readonly base?: number; readonly fraction?: number },
): (heads: string) => string {
  if ((positions.fraction ?? 1) !== 1)
    throw new UnsupportedError('decoder ONNX model: partial RoPE (fraction < 1) is not written out');
  const base = positions.base ?? 10_000;
  const half = headDim / 2;
  const cos: number[] = [];
  const sin: number[] = [];
  for (let position = 0; position < seq; position++)
    for (let dim = 0; dim < headDim; dim++) {
      const angle = position * base ** (-(2 * (dim % half)) / headDim);
      cos.push(Math.cos(angle));
      sin.push(Math.sin(angle));
    }
  const cosTable = graph.constant(cos, [seq, headDim]);
  const sinTable = graph.constant(sin, [seq, headDim]);
  return (x) => {
    const first = onnxSlice(graph, x, 3, 0, half);
    const second = onnxSlice(graph, x, 3, half, headDim);
    const rotated = graph.op('Concat', [graph.op('Neg', [second]), first], { axis: { int: 3 } });
    return graph.op('Add', [graph.op('Mul', [x, cosTable]), graph.op('Mul', [rotated, sinTable])]);
  };
}
