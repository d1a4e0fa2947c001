import type { OnnxGraphBuilder } from './onnx-graph-builder.js';

/**
 * Transformer layers written with standard ONNX operators, shared by the per-architecture ONNX
 * models: each follows the textbook formula (cited per function), not Weft's graph.
 */

/** `x W (+ b)`: MatMul by the weight `[inFeatures, outFeatures]`, then Add of the bias `[outFeatures]`. */
export function onnxLinear(
  graph: OnnxGraphBuilder,
  x: string,
  weight: string,
  shape: readonly [number, number],
  bias?: string,
): string {
  const product = graph.op('MatMul', [x, graph.weight(weight, shape)]);
  return bias === undefined ? product : graph.op('Add', [product, graph.weight(bias, [shape[1]])]);
}

/** ONNX `LayerNormalization` over the last axis (Ba et al. 2016); `name.gamma` / `name.beta`, or no affine. */
export function onnxLayerNorm(
  graph: OnnxGraphBuilder,
  x: string,
  width: number,
  epsilon: number,
  name?: string,
): string {
  const scale =
    name === undefined
      ? graph.constant(Array(width).fill(1), [width])
      : graph.weight(`${name}.gamma`, [width]);
  const inputs = name === undefined ? [x, scale] : [x, scale, graph.weight(`${name}.beta`, [width])];
  return graph.op('LayerNormalization', inputs, { axis: { int: -1 }, epsilon: { float: epsilon } });
}

/** ONNX `RMSNormalization` (opset 23) over the last axis: `x / √(mean(x²) + ε) · name.gamma` (Zhang & Sennrich 2019). */
export function onnxRmsNorm(
  graph: OnnxGraphBuilder,
  x: string,
  width: number,
  epsilon: number,
  name: string,
): string {
  return graph.op('RMSNormalization', [x, graph.weight(`${name}.gamma`, [width])], {
    axis: { int: -1 },
    epsilon: { float: epsilon },
  });
}

/** `x · sigmoid(x)`. */
export function onnxSilu(graph: OnnxGraphBuilder, x: string): string {
  return graph.op('Mul', [x, graph.op('Sigmoid', [x])]);
}

/** ONNX `Gelu` (opset 20) with `approximate = 'none'`: `x/2 · (1 + erf(x/√2))` (Hendrycks & Gimpel 2016). */
export function onnxGelu(graph: OnnxGraphBuilder, x: string): string {
  return graph.op('Gelu', [x], { approximate: { string: 'none' } });
}

/** Elements [start, end) of `axis`. */
export function onnxSlice(
  graph: OnnxGraphBuilder,
  x: string,
  axis: number,
  start: number,
  end: number,
): string {
  return graph.op('Slice', [x, graph.ints([start]), graph.ints([end]), graph.ints([axis])]);
}

/** `Reshape` to a static shape. */
export function onnxReshape(graph: OnnxGraphBuilder, x: string, shape: readonly number[]): string {
  return graph.op('Reshape', [x, graph.ints(shape)]);
}

/** The sizes of one attention call. */
export interface OnnxAttentionShape {
  readonly batch: number;
  readonly queries: number;
  readonly keys: number;
  readonly heads: number;
  /** Key/value heads; query head h reads key/value head ⌊h / (heads / kvHeads)⌋. Default `heads`. */
  readonly kvHeads?: number;
  readonly headDim: number;
}

/** `[B, S, H·dk]` → `[B, H, S, dk]`. */
export function onnxSplitHeads(
  graph: OnnxGraphBuilder,
  x: string,
  batch: number,
  length: number,
  heads: number,
  headDim: number,
): string {
  return graph.op('Transpose', [onnxReshape(graph, x, [batch, length, heads, headDim])], {
    perm: { ints: [0, 2, 1, 3] },
  });
}

/** How scores become weights in {@link onnxAttention}. */
export interface OnnxScoring {
  /** An additive mask broadcast to `[B, H, S, T]`: 0 keeps a key, −∞ drops it. */
  readonly mask?: string;
  /** Applied to the scaled scores before the mask (softcap, ALiBi). */
  readonly scores?: (scores: string) => string;
  /** Scores to weights over the keys. Default Softmax over the last axis. */
  readonly weights?: (scores: string) => string;
}

/**
 * Scaled dot-product attention (Vaswani et al. 2017) over heads already split: queries
 * `[B, H, S, dk]`, keys and values `[B, Hkv, T, dk]` (repeated to H heads for GQA), scores
 * `q kᵀ / √dk`, then `scoring.scores`, plus the additive mask, Softmax over the keys (or
 * `scoring.weights`), times the values; the heads merged back to `[B, S, H·dk]`.
 */
export function onnxAttention(
  graph: OnnxGraphBuilder,
  query: string,
  key: string,
  value: string,
  shape: OnnxAttentionShape,
  scoring: OnnxScoring = {},
): string {
  const { batch, queries, keys, heads, headDim } = shape;
  const kvHeads = shape.kvHeads ?? heads;
  const group = heads / kvHeads;
  const repeat = (x: string) =>
    group === 1
      ? x
      : onnxReshape(
          graph,
          graph.op('Expand', [
            graph.op('Unsqueeze', [x, graph.ints([2])]),
            graph.ints([batch, kvHeads, group, keys, headDim]),
          ]),
          [batch, heads, keys, headDim],
        );
  const keysT = graph.op('Transpose', [repeat(key)], { perm: { ints: [0, 1, 3, 2] } });
  let scores = graph.op('Mul', [graph.op('MatMul', [query, keysT]), graph.scalar(1 / Math.sqrt(headDim))]);
  if (scoring.scores !== undefined) scores = scoring.scores(scores);
  if (scoring.mask !== undefined) scores = graph.op('Add', [scores, scoring.mask]);
  const weights =
    scoring.weights === undefined
      ? graph.op('Softmax', [scores], { axis: { int: -1 } })
      : scoring.weights(scores);
  const attended = graph.op('MatMul', [weights, repeat(value)]);
  const merged = graph.op('Transpose', [attended], { perm: { ints: [0, 2, 1, 3] } });
  return onnxReshape(graph, merged, [batch, queries, heads * headDim]);
}

/** An additive causal mask `[S, S]`: 0 where key j ≤ query i, −∞ after. */
export function onnxCausalMask(graph: OnnxGraphBuilder, length: number): string {
  const values: number[] = [];
  for (let i = 0; i < length; i++) for (let j = 0; j < length; j++) values.push(j <= i ? 0 : -Infinity);
  return graph.constant(values, [length, length]);
}

/**
 * Self-attention with one fused projection `name.wqkv` `[d, (H + 2·Hkv)·dk]` (query, key, value
 * columns; bias `name.bqkv` when `bias`), `transform` applied to the split query and key heads
 * (RoPE), and the output projection `name.wo` (bias `name.bo` when `outputBias`).
 */
export function onnxSelfAttention(
  graph: OnnxGraphBuilder,
  x: string,
  name: string,
  options: {
    readonly dModel: number;
    readonly batch: number;
    readonly length: number;
    readonly heads: number;
    readonly kvHeads?: number;
    readonly headDim: number;
    readonly bias?: boolean;
    readonly outputBias?: boolean;
    readonly scoring?: OnnxScoring;
    readonly transform?: (heads: string) => string;
  },
): string {
  const { dModel, batch, length, heads, headDim } = options;
  const kvHeads = options.kvHeads ?? heads;
  const [queryWidth, kvWidth] = [heads * headDim, kvHeads * headDim];
  const qkv = onnxLinear(
    graph,
    x,
    `${name}.wqkv`,
    [dModel, queryWidth + 2 * kvWidth],
    options.bias === true ? `${name}.bqkv` : undefined,
  );
  const [q, k, v] = graph.ops('Split', [qkv, graph.ints([queryWidth, kvWidth, kvWidth])], 3, {
    axis: { int: -1 },
  }) as [string, string, string];
  const transform = options.transform ?? ((heads: string) => heads);
  const attended = onnxAttention(
    graph,
    transform(onnxSplitHeads(graph, q, batch, length, heads, headDim)),
    transform(onnxSplitHeads(graph, k, batch, length, kvHeads, headDim)),
    onnxSplitHeads(graph, v, batch, length, kvHeads, headDim),
    { batch, queries: length, keys: length, heads, kvHeads, headDim },
    options.scoring,
  );
  return onnxLinear(
    graph,
    attended,
    `${name}.wo`,
    [queryWidth, dModel],
    options.outputBias === true ? `${name}.bo` : undefined,
  );
}

/** The GELU MLP `name.wUp` → GELU → `name.wDown` (biases `name.bUp`, `name.bDown` when `bias`). */
export function onnxGeluMlp(
  graph: OnnxGraphBuilder,
  x: string,
  name: string,
  dModel: number,
  hidden: number,
  bias = false,
): string {
  const up = onnxLinear(graph, x, `${name}.wUp`, [dModel, hidden], bias ? `${name}.bUp` : undefined);
  return onnxLinear(
    graph,
    onnxGelu(graph, up),
    `${name}.wDown`,
    [hidden, dModel],
    bias ? `${name}.bDown` : undefined,
  );
}

/**
 * RoPE (Su et al. 2021) in the `half` layout of GPT-NeoX and Hugging Face Llama over heads
 * `[B, H, seq, dk]` at positions 0..seq−1: dim i pairs with i + dk/2 at angle `pos · base^(−2i/dk)`,
 * `x·cos + rotate_half(x)·sin` with `rotate_half(x) = [−x₂, x₁]` (Slice, Neg, Concat); the cos and
 * sin tables are computed in float64.
 */
export function onnxRopeHalf(
  graph: OnnxGraphBuilder,
  seq: number,
  headDim: number,
  base: number,
): (heads: string) => string {
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

/**
 * A gated MLP (Shazeer 2020): `name.wGateUp` `[d, 2·hidden]` (gate columns, then up), Split,
 * `act(gate) ⊙ up` with SiLU (SwiGLU) or GELU (GeGLU), then `name.wDown`.
 */
export function onnxGatedMlp(
  graph: OnnxGraphBuilder,
  x: string,
  name: string,
  dModel: number,
  hidden: number,
  kind: 'swiglu' | 'geglu',
): string {
  const both = onnxLinear(graph, x, `${name}.wGateUp`, [dModel, 2 * hidden]);
  const [gate, up] = graph.ops('Split', [both, graph.ints([hidden, hidden])], 2, { axis: { int: -1 } }) as [
    string,
    string,
  ];
  const activated = graph.op('Mul', [kind === 'swiglu' ? onnxSilu(graph, gate) : onnxGelu(graph, gate), up]);
  return onnxLinear(graph, activated, `${name}.wDown`, [hidden, dModel]);
}
