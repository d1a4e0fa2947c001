import { block, type Matrix, matrix, product, type Values } from './dense-matrix.js';

/** Sizes of the dense head-structure formulas. */
export interface DenseHeadSizes {
  readonly batch: number;
  readonly rows: number;
  readonly width: number;
  readonly heads: number;
}

/**
 * MAE (catalog #52) in float64 with plain loops, written from the expert form of the paper rather
 * than the folded one: H_j = softmax(Q_j K_jᵀ/√d_h) V_j · W^O_j (head j through its rows of W^O),
 * f_i = (h/(h−1)) Σ_{j≠i} H_j, g = softmax(ReLU(x̄ W₁ + b₁) W₂ + b₂), y = Σ_i g_i f_i. Parameters
 * named as `mixtureOfHeadsAttention`'s with name `mae`. Returns `output` `[batch, n, d]` and `gate`.
 */
export function denseMixtureOfHeads(values: Values, sizes: DenseHeadSizes): Record<string, Float64Array> {
  const { batch, rows, width, heads } = sizes;
  const headDim = width / heads;
  const output: number[] = [];
  const gates: number[] = [];
  for (let b = 0; b < batch; b++) {
    const x = block(values.x!, b, rows, width);
    const perHead = headOutputs(
      product(x, matrix(values, 'mae.query', width)),
      product(x, matrix(values, 'mae.key', width)),
      product(x, matrix(values, 'mae.value', width)),
      heads,
      headDim,
    );
    const outputWeight = matrix(values, 'mae.output', width);
    // H_j: head j's columns times rows j·d_h … (j+1)·d_h − 1 of W^O.
    const contributions = perHead.map((head, j) =>
      product(head, outputWeight.slice(j * headDim, (j + 1) * headDim)),
    );
    const pooled = [Array.from({ length: width }, (_, c) => x.reduce((s, row) => s + row[c]!, 0) / rows)];
    const hiddenBias = values['mae.gate.hidden.bias']!;
    const hidden = product(pooled, matrix(values, 'mae.gate.hidden.weight', hiddenBias.length)).map((row) =>
      row.map((a, c) => Math.max(0, a + Number(hiddenBias[c]))),
    );
    const logits = product(hidden, matrix(values, 'mae.gate.output.weight', heads))[0]!.map(
      (a, j) => a + Number(values['mae.gate.output.bias']![j]),
    );
    const gate = softmax(logits);
    gates.push(...gate);
    for (let t = 0; t < rows; t++)
      for (let c = 0; c < width; c++) {
        let y = 0;
        for (let i = 0; i < heads; i++) {
          let expert = 0;
          for (let j = 0; j < heads; j++) if (j !== i) expert += contributions[j]![t]![c]!;
          y += gate[i]! * (heads / (heads - 1)) * expert;
        }
        output.push(y);
      }
  }
  return { output: Float64Array.from(output), gate: Float64Array.from(gates) };
}

/**
 * MHE-ADD and MHE-MUL (catalog #73) in float64 with plain loops: Q_i = XW_Q ∘ e_i^Q (∘ = + or ⊙),
 * likewise K, V; O = concat_i softmax(Q_i K_iᵀ/√d_h) V_i · W_O. Parameters named as
 * `multiHeadEmbeddingAttention`'s with names `mheAdd` and `mheMul`.
 */
export function denseHeadEmbeddings(
  values: Values,
  sizes: DenseHeadSizes & { readonly headDim: number },
): Record<string, Float64Array> {
  const { batch, rows, width, heads, headDim } = sizes;
  const result: Record<string, Float64Array> = {};
  for (const [output, name, combine] of [
    ['add', 'mheAdd', (a: number, e: number) => a + e],
    ['mul', 'mheMul', (a: number, e: number) => a * e],
  ] as const) {
    const flat: number[] = [];
    for (let b = 0; b < batch; b++) {
      const x = block(values.x!, b, rows, width);
      const role = (part: string) => {
        const shared = product(x, matrix(values, `${name}.${part}`, headDim));
        const embedding = matrix(values, `${name}.${part}Embedding`, headDim);
        // Heads side by side as columns, so headOutputs can slice them.
        return shared.map((row) => embedding.flatMap((e) => row.map((a, c) => combine(a, e[c]!))));
      };
      const perHead = headOutputs(role('query'), role('key'), role('value'), heads, headDim);
      const concatenated = perHead[0]!.map((_, t) => perHead.flatMap((head) => head[t]!));
      flat.push(...product(concatenated, matrix(values, `${name}.output`, width)).flat());
    }
    result[output] = Float64Array.from(flat);
  }
  return result;
}

/** softmax(Q_j K_jᵀ/√d_h) V_j for each head j over column slices of q, k, v. */
function headOutputs(q: Matrix, k: Matrix, v: Matrix, heads: number, headDim: number): Matrix[] {
  return Array.from({ length: heads }, (_, j) => {
    const columns = (m: Matrix) => m.map((row) => row.slice(j * headDim, (j + 1) * headDim));
    const [qj, kj, vj] = [columns(q), columns(k), columns(v)];
    return qj.map((row) => {
      const weights = softmax(
        kj.map((key) => key.reduce((s, a, c) => s + a * row[c]!, 0) / Math.sqrt(headDim)),
      );
      return Array.from({ length: headDim }, (_, c) =>
        vj.reduce((s, value, t) => s + weights[t]! * value[c]!, 0),
      );
    });
  });
}

function softmax(row: number[]): number[] {
  const top = Math.max(...row);
  const weights = row.map((a) => Math.exp(a - top));
  const total = weights.reduce((s, w) => s + w, 0);
  return weights.map((w) => w / total);
}
