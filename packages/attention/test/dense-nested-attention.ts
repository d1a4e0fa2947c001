import { dot, rowOf, softmaxRow } from './dense-heads.js';

/**
 * Nested Attention written from the paper in float64: v*_i = softmax(q_i K̃ᵀ/√d) Ṽ, a_i = softmax over
 * the text tokens and s* of q_i k_jᵀ/√d, out_i = Σ_{j≠s*} a_ij V_j + a_{i,s*} v*_i.
 */
export function denseNestedAttention(values: Readonly<Record<string, ArrayLike<number>>>): {
  output: Float64Array;
  subjectWeight: Float64Array;
} {
  const heads = 2;
  const queries = 8;
  const text = 10;
  const nestedCount = 6;
  const dim = 16;
  const scale = 1 / Math.sqrt(dim);
  const rowsOf = (name: string, length: number, h: number) =>
    Array.from({ length }, (_, j) => rowOf(values[name]!, { heads, length, dim }, 0, h, j));
  const output = new Float64Array(heads * queries * dim);
  const subjectWeight = new Float64Array(heads * queries);
  for (let h = 0; h < heads; h++) {
    const keys = rowsOf('k', text, h);
    const textValues = rowsOf('v', text, h);
    const nestedKeys = rowsOf('nestedKey', nestedCount, h);
    const nestedValues = rowsOf('nestedValue', nestedCount, h);
    const subjectKey = rowsOf('subjectKey', 1, h)[0]!;
    for (let i = 0; i < queries; i++) {
      const query = rowOf(values.q!, { heads, length: queries, dim }, 0, h, i);
      const inner = softmaxRow(nestedKeys.map((key) => dot(query, key) * scale));
      const subjectValue = Array.from({ length: dim }, (_, d) =>
        inner.reduce((total, weight, j) => total + weight * nestedValues[j]![d]!, 0),
      );
      // The subject token s* is the last of the outer row's keys.
      const outer = softmaxRow([...keys, subjectKey].map((key) => dot(query, key) * scale));
      subjectWeight[h * queries + i] = outer[text]!;
      for (let d = 0; d < dim; d++) {
        let total = outer[text]! * subjectValue[d]!;
        for (let j = 0; j < text; j++) total += outer[j]! * textValues[j]![d]!;
        output[(h * queries + i) * dim + d] = total;
      }
    }
  }
  return { output, subjectWeight };
}
