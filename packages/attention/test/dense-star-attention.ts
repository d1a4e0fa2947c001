import { denseRope } from './dense-analysis-readouts.js';
import { denseAttentionRow } from './dense-softmax-rows.js';

type Values = Readonly<Record<string, ArrayLike<number>>>;

/**
 * Star Attention written from the paper over one sequence of `context + queries` tokens with RoPE
 * at global positions, in float64: phase 1, host ⌊p/b⌋ attends causally over [anchor block; its
 * block] (the anchor's outputs are host 0's own); phase 2, the query tokens attend causally to the
 * whole context and to themselves — the exact attention the distributed LSE merge reproduces.
 */
export function denseStarAttention(
  values: Values,
  shape: { heads: number; context: number; queries: number; headDim: number; block: number },
): Record<string, Float64Array> {
  const { heads, context, queries, headDim, block } = shape;
  const length = context + queries;
  const q = denseRope(values.q!, heads, length, headDim);
  const k = denseRope(values.k!, heads, length, headDim);
  const contextOut = new Float64Array(heads * context * headDim);
  const queryOut = new Float64Array(heads * queries * headDim);
  for (let h = 0; h < heads; h++)
    for (let p = 0; p < length; p++) {
      const host = Math.floor(p / block);
      const inContext = p < context;
      const visible = (j: number) => j <= p && (!inContext || j < block || Math.floor(j / block) === host);
      const row = denseAttentionRow(q, k, values.v!, { h, p, length, headDim, visible });
      if (inContext) contextOut.set(row, (h * context + p) * headDim);
      else queryOut.set(row, (h * queries + p - context) * headDim);
    }
  return { context: contextOut, query: queryOut };
}

/**
 * Block-Attention for RAG in one sequence, float64, RoPE at global positions: a token of passage
 * i < K attends causally within its passage, a question token causally to everything. (A passage's
 * own attention depends only on relative positions, so encoding it from position 0 and shifting its
 * keys later gives the same numbers.)
 */
export function denseBlockAttentionRag(
  values: Values,
  shape: { heads: number; headDim: number; block: number; blocks: number },
): Record<string, Float64Array> {
  const { heads, headDim, block, blocks } = shape;
  const length = block * blocks;
  const questionStart = (blocks - 1) * block;
  const q = denseRope(values.q!, heads, length, headDim);
  const k = denseRope(values.k!, heads, length, headDim);
  const passages = new Float64Array(heads * questionStart * headDim);
  const question = new Float64Array(heads * block * headDim);
  for (let h = 0; h < heads; h++)
    for (let p = 0; p < length; p++) {
      const inQuestion = p >= questionStart;
      const visible = (j: number) =>
        j <= p && (inQuestion || Math.floor(j / block) === Math.floor(p / block));
      const row = denseAttentionRow(q, k, values.v!, { h, p, length, headDim, visible });
      if (inQuestion) question.set(row, (h * block + p - questionStart) * headDim);
      else passages.set(row, (h * questionStart + p) * headDim);
    }
  return { passages, question };
}
