/**
 * Host-side float64 simulation of a landmark KV cache (Landmark Attention, Mohtashami & Jaggi 2023,
 * catalog #66, inference form), written from the paper's equations and independent of the graph:
 * per KV head a list of blocks of ℓ (key, value) rows; a block's landmark key is the mean of its
 * keys (the stand-in for the trained landmark token). Each step appends one row; each query head
 * takes the top-k complete blocks by landmark score q·λ/√d and weighs, with the paper's Eq. (3)-(4)
 * grouped softmax over the retrieved blocks' rows, their landmarks and the current block's rows:
 * group 0 = {landmarks of retrieved blocks} ∪ {current block rows ≤ query}, group g = the rows of
 * retrieved block g; a current row's weight is S_ij, a retrieved row's is S_ij · S_{i,λ(g)}, a
 * landmark's own value gets 0.
 *
 * With `stingyRope` (RoPE base θ, every dim rotated, half-split pairs), the rows are kept before
 * RoPE and placed as the paper's reference inference code does by default (its "stingy" mapping,
 * epfml/landmark-attention `llama/llama_mem.py`): with K' = min(K, c) for current block c, the query
 * and the current block's rows sit at their own positions; for scoring, landmark g sits right
 * after its block (gℓ + ℓ) when g is one of the latest K' blocks, else at (c − K')ℓ (after block
 * c − K' − 1); the retrieved blocks, sorted by index, fill a segment of K' + 1 blocks ending at block
 * c − 1: the r-th goes to segment block r, or r + 1 when it is one of the latest K', its row o at
 * (c − K' − 1 + segment block)ℓ + o and its landmark one past its last row.
 */

/** A step's rows: `query[h]`, `key[g]`, `value[g]` (one token). */
export interface LandmarkStepRows {
  readonly query: readonly Float64Array[];
  readonly key: readonly Float64Array[];
  readonly value: readonly Float64Array[];
}

/** What the simulation reports after a step. */
export interface LandmarkSimulated {
  /** Attention output `[H][dv]`, flattened. */
  readonly output: Float64Array;
  /** Retrieved blocks per query head, best first. */
  readonly retrieved: number[][];
  /**
   * Smallest relative gap between the k-th and (k+1)-th landmark scores of any head (∞ when no
   * choice was made): an f32 run can only retrieve other blocks when its score error exceeds it.
   */
  readonly margin: number;
}

interface Row {
  readonly key: Float64Array;
  readonly value: Float64Array;
}

/** The simulated cache of one attention layer. */
export class LandmarkSimulation {
  readonly #rows: Row[][];

  constructor(
    private readonly heads: number,
    private readonly kvHeads: number,
    private readonly blockSize: number,
    private readonly topK: number,
    private readonly stingyRope?: { readonly base: number },
  ) {
    this.#rows = Array.from({ length: kvHeads }, () => []);
  }

  /** Runs one step: the token at the next position. */
  step(rows: LandmarkStepRows): LandmarkSimulated {
    for (let g = 0; g < this.kvHeads; g++) this.#rows[g]!.push({ key: rows.key[g]!, value: rows.value[g]! });
    const length = this.#rows[0]!.length;
    const ell = this.blockSize;
    const current = Math.floor((length - 1) / ell);
    const rotated = (x: Float64Array, position: number) =>
      this.stingyRope === undefined ? x : rotateHalf(x, position, this.stingyRope.base);
    const start = current - Math.min(this.topK, current);
    const scoredAt = (g: number) => (g >= start ? g : start - 1) * ell + ell;
    const valueDim = rows.value[0]!.length;
    const output = new Float64Array(this.heads * valueDim);
    const retrievedByHead: number[][] = [];
    let margin = Number.POSITIVE_INFINITY;
    for (let h = 0; h < this.heads; h++) {
      const entries = this.#rows[Math.floor((h * this.kvHeads) / this.heads)]!;
      const q = rotated(rows.query[h]!, length - 1);
      const scale = 1 / Math.sqrt(q.length);
      const blockRows = (g: number) => entries.slice(g * ell, (g + 1) * ell);
      const landmarkKey = (g: number) => {
        const keys = blockRows(g).map((row) => row.key);
        return keys[0]!.map((_, c) => keys.reduce((total, key) => total + key[c]!, 0) / ell);
      };
      const landmarkScores = Array.from(
        { length: current },
        (_, g) => dot(q, rotated(landmarkKey(g), scoredAt(g))) * scale,
      );
      const order = landmarkScores.map((_, g) => g).sort((a, b) => landmarkScores[b]! - landmarkScores[a]!);
      const retrieved = order.slice(0, this.topK);
      if (order.length > this.topK) {
        const kept = landmarkScores[order[this.topK - 1]!]!;
        const next = landmarkScores[order[this.topK]!]!;
        margin = Math.min(margin, (kept - next) / Math.max(Math.abs(kept), 1e-30));
      }
      retrievedByHead.push(retrieved);
      // Stingy: where the retrieved block's first row sits (the identity without positions).
      const ascending = [...retrieved].sort((a, b) => a - b);
      const placedAt = (g: number) => (start - 1 + ascending.indexOf(g) + (g >= start ? 1 : 0)) * ell;
      // Group 0: the retrieved landmarks, then the current block's rows up to the query.
      const localRows = entries.slice(current * ell, length);
      const top = softmax([
        ...retrieved.map((g) => dot(q, rotated(landmarkKey(g), placedAt(g) + ell)) * scale),
        ...localRows.map((r, j) => dot(q, rotated(r.key, current * ell + j)) * scale),
      ]);
      const out = output.subarray(h * valueDim, (h + 1) * valueDim);
      for (const [j, row] of localRows.entries()) addScaled(out, row.value, top[retrieved.length + j]!);
      retrieved.forEach((g, n) => {
        const within = softmax(
          blockRows(g).map((row, j) => dot(q, rotated(row.key, placedAt(g) + j)) * scale),
        );
        for (const [j, row] of blockRows(g).entries()) addScaled(out, row.value, top[n]! * within[j]!);
      });
    }
    return { output, retrieved: retrievedByHead, margin };
  }
}

function softmax(logits: readonly number[]): number[] {
  const top = Math.max(...logits);
  const weights = logits.map((logit) => Math.exp(logit - top));
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((weight) => weight / total);
}

function addScaled(out: Float64Array, value: Float64Array, weight: number): void {
  for (let c = 0; c < out.length; c++) out[c]! += weight * value[c]!;
}

/** RoPE of a row at `position`: pairs (i, i + d/2) turned by position·θ^(−2i/d). */
function rotateHalf(x: Float64Array, position: number, base: number): Float64Array {
  const half = x.length / 2;
  const out = new Float64Array(x.length);
  for (let i = 0; i < half; i++) {
    const angle = position * base ** ((-2 * i) / x.length);
    const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
    out[i] = x[i]! * cos - x[i + half]! * sin;
    out[i + half] = x[i + half]! * cos + x[i]! * sin;
  }
  return out;
}

function dot(a: Float64Array, b: Float64Array): number {
  let total = 0;
  for (let i = 0; i < a.length; i++) total += a[i]! * b[i]!;
  return total;
}
