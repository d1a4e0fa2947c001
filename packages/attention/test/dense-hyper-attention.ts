import { dot, rowOf } from './dense-heads.js';

/** Sizes of a HyperAttention problem (`[1, heads, length, dim]`, as many queries as keys). */
export interface HyperAttentionSizes {
  readonly heads: number;
  readonly headDim: number;
  readonly length: number;
  readonly blockSize: number;
  readonly projections: number;
  readonly samples: number;
  /** Causal recursion: exact causal attention at or below this length. */
  readonly minSeqLen?: number;
}

type Rows = number[][];
/** One head's rows: q, k, v. */
interface Head {
  readonly q: Rows;
  readonly k: Rows;
  readonly v: Rows;
}
/** One head's result: output rows, log-sum-exp per row, and (sortLSH) the sort orders. */
interface HeadResult {
  readonly out: Rows;
  readonly lse: number[];
  readonly queryOrder?: number[];
  readonly keyOrder?: number[];
}

/** `_unit_hamming_distance_array` of the paper's code, written again here (the Gray-code order). */
function unitHammingDistanceArray(size: number): number[] {
  if (size === 1) return [0, 1];
  const a = unitHammingDistanceArray(size - 1);
  return [...a, ...a.map((x) => x + 2 ** (size - 1)).reverse()];
}

/** logsumexp and the softmax-weighted values of one row of scores, float64 (−∞ and 0 when empty). */
function attend(scores: readonly number[], values: Rows, dim: number) {
  if (scores.length === 0) return { lse: -Infinity, out: new Array<number>(dim).fill(0) };
  const top = Math.max(...scores);
  const weights = scores.map((s) => Math.exp(s - top));
  const total = weights.reduce((a, b) => a + b, 0);
  const out = Array.from(
    { length: dim },
    (_, d) => weights.reduce((t, w, j) => t + w * values[j]![d]!, 0) / total,
  );
  return { lse: top + Math.log(total), out };
}

/** `add_self_attentions` with the exact logaddexp (the catalog's merge). */
function merge(a: HeadResult, b: HeadResult): HeadResult {
  const lse = a.lse.map((x, i) => {
    const top = Math.max(x, b.lse[i]!);
    return top === -Infinity ? -Infinity : top + Math.log(Math.exp(x - top) + Math.exp(b.lse[i]! - top));
  });
  const out = a.out.map((row, i) =>
    row.map((x, d) => x * Math.exp(a.lse[i]! - lse[i]!) + b.out[i]![d]! * Math.exp(b.lse[i]! - lse[i]!)),
  );
  return { out, lse };
}

/**
 * HyperAttention, float64, written from the paper's code (`hyper_attn.py`, `angular_lsh.py`):
 * hash(x) = perm[Σ_b 2^b 1[x·P_b > 0]]; `forward_no_causal_mask` — exact attention below
 * min_seq_len queries, else a stable sort of queries and keys by hash, exact attention of sorted
 * query block r to sorted key block r → (O₁, LSE₁), attention of every sorted query to the sampled
 * sorted keys outside its block, LSE₂ + log(n/m), logaddexp merge, rows back in the input order;
 * causal `forward` — exact causal at n ≤ min_seq_len, else the halves as heads (recursively causal),
 * the bottom-left quadrant non-causal and the bottom rows merged. `samples(level, head)` gives the
 * m sampled indices of that level's head. Also the smallest |x·P| of the hashes (a sign f32 could
 * flip would make the check moot).
 */
export function denseHyperAttention(sizes: HyperAttentionSizes, causalRecursion = false) {
  const { heads, headDim: dim, length: n, blockSize, projections: r, samples: m } = sizes;
  const minSeqLen = sizes.minSeqLen ?? 0;
  const perm = unitHammingDistanceArray(r);
  const scale = 1 / Math.sqrt(dim);
  return (values: Readonly<Record<string, ArrayLike<number>>>) => {
    const projection = values['hyper.projections']!;
    let margin = Infinity;
    const hash = (x: readonly number[]) => {
      let bin = 0;
      for (let b = 0; b < r; b++) {
        const projected = x.reduce((t, xd, d) => t + xd * projection[d * r + b]!, 0);
        margin = Math.min(margin, Math.abs(projected));
        if (projected > 0) bin += 2 ** b;
      }
      return perm[bin]!;
    };
    const exact = ({ q, k, v }: Head, causal: boolean): HeadResult => {
      const rows = q.map((qi, i) => {
        const keys = k.map((_, j) => j).filter((j) => !causal || j <= i);
        return attend(
          keys.map((j) => dot(qi, k[j]!) * scale),
          keys.map((j) => v[j]!),
          dim,
        );
      });
      return { out: rows.map((row) => row.out), lse: rows.map((row) => row.lse) };
    };
    const noCausalMask = (head: Head, samples: readonly number[]): HeadResult => {
      const { q, k, v } = head;
      if (minSeqLen > q.length) return exact(head, false);
      const sortIndex = (x: Rows) => {
        const hashes = x.map(hash);
        return x.map((_, i) => i).sort((a, b) => hashes[a]! - hashes[b]!); // stable
      };
      const qIdx = sortIndex(q);
      const kIdx = sortIndex(k);
      const queryBlock = q.length / (k.length / blockSize);
      const out: Rows = new Array(q.length);
      const lse: number[] = new Array(q.length);
      qIdx.forEach((i, p) => {
        const block = Math.floor(p / queryBlock);
        const blockKeys = Array.from({ length: blockSize }, (_, t) => kIdx[block * blockSize + t]!);
        const first = attend(
          blockKeys.map((j) => dot(q[i]!, k[j]!) * scale),
          blockKeys.map((j) => v[j]!),
          dim,
        );
        const kept = samples.filter((s) => Math.floor(s / blockSize) !== block).map((s) => kIdx[s]!);
        const second = attend(
          kept.map((j) => dot(q[i]!, k[j]!) * scale),
          kept.map((j) => v[j]!),
          dim,
        );
        const merged = merge(
          { out: [first.out], lse: [first.lse] },
          { out: [second.out], lse: [second.lse + Math.log(k.length / samples.length)] },
        );
        out[i] = merged.out[0]!;
        lse[i] = merged.lse[0]!;
      });
      return { out, lse, queryOrder: qIdx, keyOrder: kIdx };
    };
    // Level ℓ's heads: the halves of level ℓ − 1's, in the order of a [B, 2H, n/2, d] view.
    const sampledAt = (level: number, head: number) => {
      const table = values[level === 0 && !causalRecursion ? 'hyper.sampled' : `hyper.sampled${level}`]!;
      return Array.from({ length: m }, (_, t) => table[head * m + t]!);
    };
    const causalForward = (level: Head[], depth: number): HeadResult[] => {
      if (level[0]!.q.length <= minSeqLen) return level.map((head) => exact(head, true));
      const half = level[0]!.q.length / 2;
      const split = level.flatMap(({ q, k, v }) => [
        { q: q.slice(0, half), k: k.slice(0, half), v: v.slice(0, half) },
        { q: q.slice(half), k: k.slice(half), v: v.slice(half) },
      ]);
      const diagonal = causalForward(split, depth + 1);
      return level.map((head, h) => {
        const [top, bottom] = [diagonal[2 * h]!, diagonal[2 * h + 1]!];
        const lower = noCausalMask(
          { q: head.q.slice(half), k: head.k.slice(0, half), v: head.v.slice(0, half) },
          sampledAt(depth, h),
        );
        const down = merge(bottom, lower);
        return { out: [...top.out, ...down.out], lse: [...top.lse, ...down.lse] };
      });
    };
    const rows = { heads, length: n, dim };
    const all: Head[] = Array.from({ length: heads }, (_, h) => {
      const read = (name: string) => Array.from({ length: n }, (_, i) => rowOf(values[name]!, rows, 0, h, i));
      return { q: read('q'), k: read('k'), v: read('v') };
    });
    const results = causalRecursion
      ? causalForward(all, 0)
      : all.map((head, h) => noCausalMask(head, sampledAt(0, h)));
    const output = Float64Array.from(results.flatMap((result) => result.out.flat()));
    const logSumExp = Float64Array.from(results.flatMap((result) => result.lse));
    const outputs: Record<string, Float64Array> = { output, logSumExp };
    if (!causalRecursion) {
      outputs.queryOrder = Float64Array.from(results.flatMap((result) => result.queryOrder!));
      outputs.keyOrder = Float64Array.from(results.flatMap((result) => result.keyOrder!));
    }
    return { outputs, margin };
  };
}

/** Exact softmax attention, float64: what HyperAttention approximates. */
export function denseExactAttention(
  sizes: HyperAttentionSizes,
  values: Readonly<Record<string, ArrayLike<number>>>,
  causal = false,
) {
  const { heads, headDim: dim, length: n } = sizes;
  const rows = { heads, length: n, dim };
  const output = new Float64Array(heads * n * dim);
  for (let h = 0; h < heads; h++)
    for (let i = 0; i < n; i++) {
      const q = rowOf(values.q!, rows, 0, h, i);
      const keys = Array.from({ length: causal ? i + 1 : n }, (_, j) => j);
      const { out } = attend(
        keys.map((j) => dot(q, rowOf(values.k!, rows, 0, h, j)) / Math.sqrt(dim)),
        keys.map((j) => rowOf(values.v!, rows, 0, h, j)),
        dim,
      );
      output.set(out, (h * n + i) * dim);
    }
  return output;
}
