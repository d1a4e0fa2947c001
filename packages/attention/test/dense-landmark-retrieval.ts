import { dot, rowOf } from './dense-heads.js';

/** Sizes of one Landmark Attention decode step: query `[batch, heads, 1, dim]`, caches of `slots`. */
export interface RetrievalSizes {
  readonly batch: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly slots: number;
  readonly dim: number;
  readonly valueDim: number;
  /** ℓ: regular tokens per block; block g occupies slots g(ℓ + 1) .. g(ℓ + 1) + ℓ, its landmark last. */
  readonly blockSize: number;
  readonly topK: number;
}

/** What one step of {@link denseLandmarkStep} gives. */
export interface RetrievalStep {
  /** `[batch, heads, valueDim]`. */
  readonly output: Float64Array;
  /** Retrieved blocks of head (b, h), by descending landmark score. */
  readonly selected: (b: number, h: number) => readonly number[];
}

/**
 * Landmark Attention's inference rule written from the paper (Mohtashami & Jaggi 2023, §3.2 and
 * `llama_mem.py`), float64, one query at `positions[b]`: current block c = ⌊p/(ℓ + 1)⌋; every
 * complete previous block g < c scores s_λg = q·k_λg/√d on its landmark; the `topK` best are
 * retrieved. Top-level set T = {λ_g : g retrieved} ∪ {regular tokens j of block c, j ≤ p};
 * p^top = softmax over T. Output = Σ_{j ∈ c} p^top_j v_j + Σ_g p^top_λg Σ_{j ∈ g} softmax_g(s)_j v_j,
 * the within-block softmax over g's ℓ regular tokens; landmark values are never mixed in.
 */
export function denseLandmarkStep(
  sizes: RetrievalSizes,
  values: { q: ArrayLike<number>; k: ArrayLike<number>; v: ArrayLike<number> },
  positions: readonly number[],
): RetrievalStep {
  const { batch, heads, kvHeads, slots, dim, valueDim, blockSize, topK } = sizes;
  const period = blockSize + 1;
  const scale = 1 / Math.sqrt(dim);
  const output = new Float64Array(batch * heads * valueDim);
  const chosen = new Map<string, number[]>();
  for (let b = 0; b < batch; b++) {
    const p = positions[b]!;
    const current = Math.floor(p / period);
    for (let h = 0; h < heads; h++) {
      const g = Math.floor(h / (heads / kvHeads));
      const q = rowOf(values.q, { heads, length: 1, dim }, b, h, 0);
      const score = (j: number) =>
        dot(q, rowOf(values.k, { heads: kvHeads, length: slots, dim }, b, g, j)) * scale;
      const value = (j: number) => rowOf(values.v, { heads: kvHeads, length: slots, dim: valueDim }, b, g, j);
      const ranked = Array.from({ length: current }, (_, block) => ({
        block,
        s: score(block * period + blockSize),
      })).sort((x, y) => y.s - x.s);
      const retrieved = ranked.slice(0, topK);
      chosen.set(
        `${b},${h}`,
        retrieved.map((entry) => entry.block),
      );
      const own = Array.from({ length: p - current * period + 1 }, (_, r) => current * period + r).filter(
        (j) => (j + 1) % period !== 0,
      );
      const top = [...retrieved.map((entry) => entry.s), ...own.map(score)];
      const m = Math.max(...top);
      const total = top.reduce((sum, s) => sum + Math.exp(s - m), 0);
      const out = new Array<number>(valueDim).fill(0);
      const addRow = (weight: number, row: readonly number[]) =>
        row.forEach((x, d) => {
          out[d]! += weight * x;
        });
      for (const j of own) addRow(Math.exp(score(j) - m) / total, value(j));
      for (const { block, s } of retrieved) {
        const gate = Math.exp(s - m) / total;
        const members = Array.from({ length: blockSize }, (_, r) => block * period + r);
        const inner = members.map(score);
        const innerMax = Math.max(...inner);
        const innerSum = inner.reduce((sum, x) => sum + Math.exp(x - innerMax), 0);
        members.forEach((j, r) => {
          addRow((gate * Math.exp(inner[r]! - innerMax)) / innerSum, value(j));
        });
      }
      output.set(out, (b * heads + h) * valueDim);
    }
  }
  return { output, selected: (b, h) => chosen.get(`${b},${h}`)! };
}
