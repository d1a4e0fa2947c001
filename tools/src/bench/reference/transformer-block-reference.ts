import { attentionReference } from './attention-reference.js';
import { geluReference } from './gelu-reference.js';
import { layerNormReference } from './layer-norm-reference.js';
import { matmulReference } from './matmul-reference.js';

/** Weights of a pre-norm transformer block with model width C, H heads and a 4C GELU MLP. */
export interface TransformerBlockWeights {
  /** LayerNorm before attention: γ `[C]`. */
  readonly ln1Gamma: Float32Array;
  /** LayerNorm before attention: β `[C]`. */
  readonly ln1Beta: Float32Array;
  /** Query projection `[C, C]` (input × weight). */
  readonly wq: Float32Array;
  /** Key projection `[C, C]`. */
  readonly wk: Float32Array;
  /** Value projection `[C, C]`. */
  readonly wv: Float32Array;
  /** Query, key and value biases, concatenated `[3C]`. */
  readonly bqkv: Float32Array;
  /** Output projection `[C, C]`. */
  readonly wo: Float32Array;
  /** Output projection bias `[C]`. */
  readonly bo: Float32Array;
  /** LayerNorm before the MLP: γ `[C]`. */
  readonly ln2Gamma: Float32Array;
  /** LayerNorm before the MLP: β `[C]`. */
  readonly ln2Beta: Float32Array;
  /** MLP up projection `[C, 4C]`. */
  readonly w1: Float32Array;
  /** MLP up bias `[4C]`. */
  readonly b1: Float32Array;
  /** MLP down projection `[4C, C]`. */
  readonly w2: Float32Array;
  /** MLP down bias `[C]`. */
  readonly b2: Float32Array;
}

/** Sizes of the block: N tokens, width C, H heads (head dim C / H); attention is causal. */
export interface TransformerBlockShape {
  /** Tokens N. */
  readonly tokens: number;
  /** Model width C. */
  readonly width: number;
  /** Heads H. */
  readonly heads: number;
}

/** LayerNorm ε of the block's norms. */
export const BLOCK_EPSILON = 1e-5;

/**
 * One pre-norm transformer block in float64 on `x [N, C]`:
 * `x₂ = x + MHA(LN₁(x)) W_o + b_o`, `y = x₂ + GELU(LN₂(x₂) W₁ + b₁) W₂ + b₂`, with causal attention.
 */
export function transformerBlockReference(
  x: Float32Array,
  weights: TransformerBlockWeights,
  shape: TransformerBlockShape,
): Float64Array {
  const { tokens, width, heads } = shape;
  const hidden = 4 * width;
  const h1 = layerNormReference(x, weights.ln1Gamma, weights.ln1Beta, tokens, width, BLOCK_EPSILON);
  // input [N, K] × weight [K, columns] + bias[biasOffset .. biasOffset + columns]
  const project = (
    input: ArrayLike<number>,
    weight: Float32Array,
    columns: number,
    bias: Float32Array,
    biasOffset = 0,
  ) => {
    const result = matmulReference(input, weight, tokens, weight.length / columns, columns);
    for (let index = 0; index < result.length; index++)
      result[index]! += bias[biasOffset + (index % columns)]!;
    return result;
  };
  const q = project(h1, weights.wq, width, weights.bqkv, 0);
  const k = project(h1, weights.wk, width, weights.bqkv, width);
  const v = project(h1, weights.wv, width, weights.bqkv, 2 * width);
  const attended = attentionReference(q, k, v, {
    batch: 1,
    heads,
    sequence: tokens,
    headDim: width / heads,
    causal: true,
  });
  const projected = project(attended, weights.wo, width, weights.bo);
  const x2 = projected.map((value, index) => value + x[index]!);
  const h2 = layerNormReference(x2, weights.ln2Gamma, weights.ln2Beta, tokens, width, BLOCK_EPSILON);
  const up = project(h2, weights.w1, hidden, weights.b1).map(geluReference);
  const down = matmulReference(up, weights.w2, tokens, hidden, width);
  return down.map((value, index) => value + weights.b2[index % width]! + x2[index]!);
}
