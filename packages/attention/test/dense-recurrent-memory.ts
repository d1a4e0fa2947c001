import { softmaxRow } from './dense-heads.js';
import { block, layerNormRows, type Matrix, matrix, product, type Values } from './dense-matrix.js';

/** Sizes of {@link denseRecurrentMemory}. */
export interface DenseRecurrentMemorySizes {
  readonly batch: number;
  readonly length: number;
  readonly width: number;
  readonly heads: number;
  readonly slots: number;
  readonly chunk: number;
}

/**
 * The recurrent memory block's stand-in (catalog paper 93, as `recurrentMemoryBlock` documents its
 * choices) in float64 with plain loops, written from the description rather than from the graph:
 * pre-LN (ε = 1e-5), three softmax attentions per head summed — causal with RoPE (half layout,
 * base 10⁴), causal inside chunks with RoPE, unrotated queries over the memory's keys — a residual
 * through W_o, then c = mean of y, g = σ([Mem_s; c]·W_g + b_g) per slot, Mem′_s = g ⊙ Mem_s +
 * (1 − g) ⊙ c, oldest slot dropped and c appended. Parameters named as the block's (`memoryBlock.*`).
 * `values.x` `[batch, length, width]`, `values.memory` `[batch, slots, width]`.
 */
export function denseRecurrentMemory(values: Values, sizes: DenseRecurrentMemorySizes) {
  const { batch, length, width, slots } = sizes;
  const output: number[] = [];
  const memory: number[] = [];
  for (let b = 0; b < batch; b++) {
    const x = block(values.x!, b, length, width);
    const bank = block(values.memory!, b, slots, width);
    const y = memoryBlockOutput(values, x, bank, sizes);
    output.push(...y.flat());
    memory.push(...updatedMemory(values, y, bank).flat());
  }
  return { output: Float64Array.from(output), memory: Float64Array.from(memory) };
}

function memoryBlockOutput(
  values: Values,
  x: Matrix,
  bank: Matrix,
  sizes: DenseRecurrentMemorySizes,
): Matrix {
  const { width, heads, chunk } = sizes;
  const w = (part: string) => matrix(values, `memoryBlock.${part}`, width);
  const h = layerNormRows(x, values['memoryBlock.norm.gamma']!, values['memoryBlock.norm.beta']!);
  const [q, k, v] = [product(h, w('query')), product(h, w('key')), product(h, w('value'))];
  const [memoryKeys, memoryValues] = [product(bank, w('key')), product(bank, w('value'))];
  const headDim = width / heads;
  const mixed = x.map(() => new Array<number>(width).fill(0));
  for (let head = 0; head < heads; head++) {
    const columns = (m: Matrix) => m.map((row) => row.slice(head * headDim, (head + 1) * headDim));
    const [qh, kh, vh] = [columns(q), columns(k), columns(v)];
    const [qr, kr] = [qh.map(rotate), kh.map(rotate)];
    for (let i = 0; i < x.length; i++) {
      const sameChunk = (j: number) => Math.floor(i / chunk) === Math.floor(j / chunk);
      const paths = [
        softmaxAverage(qr[i]!, kr, vh, (j) => j <= i),
        softmaxAverage(qr[i]!, kr, vh, (j) => j <= i && sameChunk(j)),
        softmaxAverage(qh[i]!, columns(memoryKeys), columns(memoryValues), () => true),
      ];
      for (let c = 0; c < headDim; c++)
        mixed[i]![head * headDim + c] = paths.reduce((total, path) => total + path[c]!, 0);
    }
  }
  const attended = product(mixed, w('output'));
  return x.map((row, i) => row.map((value, c) => value + attended[i]![c]!));
}

function updatedMemory(values: Values, y: Matrix, bank: Matrix): Matrix {
  const width = y[0]!.length;
  const summary = Array.from(
    { length: width },
    (_, c) => y.reduce((total, row) => total + row[c]!, 0) / y.length,
  );
  const gateWeight = matrix(values, 'memoryBlock.gate.weight', width);
  const gateBias = values['memoryBlock.gate.bias']!;
  const blended = bank.map((slot) => {
    const logits = product([[...slot, ...summary]], gateWeight)[0]!;
    return slot.map((value, c) => {
      const g = 1 / (1 + Math.exp(-(logits[c]! + Number(gateBias[c]))));
      return g * value + (1 - g) * summary[c]!;
    });
  });
  return [...blended.slice(1), summary];
}

/** Σ_j softmax_j(q·k_j/√e) v_j over the keys `visible` admits. */
function softmaxAverage(q: number[], keys: Matrix, vs: Matrix, visible: (j: number) => boolean): number[] {
  const scores = keys.map((k, j) =>
    visible(j) ? k.reduce((total, kc, c) => total + kc * q[c]!, 0) / Math.sqrt(q.length) : -Infinity,
  );
  const weights = softmaxRow(scores);
  return vs[0]!.map((_, c) => vs.reduce((sum, row, j) => sum + weights[j]! * row[c]!, 0));
}

/** RoPE of a head's row at its position (half layout: pairs (i, i + e/2), θ_i = 10⁴^(−2i/e)). */
function rotate(row: number[], position: number): number[] {
  const half = row.length / 2;
  const out = [...row];
  for (let i = 0; i < half; i++) {
    const angle = position * 10000 ** ((-2 * i) / row.length);
    const [a, b] = [row[i]!, row[i + half]!];
    out[i] = a * Math.cos(angle) - b * Math.sin(angle);
    out[i + half] = b * Math.cos(angle) + a * Math.sin(angle);
  }
  return out;
}
