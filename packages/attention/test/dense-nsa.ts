import { dot, rowOf, softmaxRow } from './dense-heads.js';

/** Sizes of an NSA problem (batch 1): `[1, heads | kvHeads, n, dim]`, gates from x `[1, n, model]`. */
export interface NsaSizes {
  readonly heads: number;
  readonly kvHeads: number;
  readonly n: number;
  readonly dim: number;
  readonly model: number;
  /** l, d, l′, n and w of the paper. */
  readonly blockLength: number;
  readonly stride: number;
  readonly selectBlock: number;
  readonly selectCount: number;
  readonly window: number;
  /** Name prefix of the parameters (`${name}.gate.weight`, `${name}.compression.key.hidden`, ...). */
  readonly name: string;
  /** φ is the MLP (weights under the name) rather than the block mean. */
  readonly mlp: boolean;
}

type Values = Readonly<Record<string, ArrayLike<number>>>;

/**
 * Native Sparse Attention written from the paper (Yuan et al. 2025, §3.3, eqs. 5–12; catalog #94),
 * float64 and per token, independent of the composition's graph: compressed blocks φ(k_{id+1..id+l}),
 * p^cmp_t = softmax of q_t against the blocks that end at or before t, p^slc_t[j] =
 * Σ_m Σ_n p^cmp_t[(l′/d)j − m − n], summed over the heads of each GQA group, the top n blocks with
 * the first and 2 local blocks always kept, a window of w, and o_t = Σ_c σ(x_t W + b)_c · o^c_t.
 * Returns `output` and the three branch outputs.
 */
export function denseNsa(sizes: NsaSizes) {
  const { heads, kvHeads, n, dim, model, blockLength: l, stride: d, selectBlock, window, name } = sizes;
  const group = heads / kvHeads;
  const blocks = n / selectBlock;
  const compressedCount = Math.floor((n - l) / d) + 1;
  const scale = 1 / Math.sqrt(dim);
  return (values: Values) => {
    const rows = (tensor: string, count: number) =>
      Array.from({ length: count }, (_, h) =>
        Array.from({ length: n }, (_, j) =>
          rowOf(values[tensor]!, { heads: count, length: n, dim }, 0, h, j),
        ),
      );
    const keyRows = { k: rows('k', kvHeads), v: rows('v', kvHeads) };
    const queryRows = rows('q', heads);
    const kvRows = (tensor: 'k' | 'v', kv: number, j: number) => keyRows[tensor][kv]![j]!;
    // φ of block i of K or V for KV head kv.
    const compress = (tensor: 'k' | 'v', kv: number, i: number): number[] => {
      const tokens = Array.from({ length: l }, (_, m) => kvRows(tensor, kv, i * d + m));
      if (!sizes.mlp) return Array.from({ length: dim }, (_, c) => tokens.reduce((s, t) => s + t[c]!, 0) / l);
      const part = tensor === 'k' ? 'key' : 'value';
      const position = values[`${name}.compression.${part}.position`]!;
      const w1 = values[`${name}.compression.${part}.hidden`]!;
      const w2 = values[`${name}.compression.${part}.output`]!;
      const hidden = w1.length / (l * dim);
      const h1 = Array.from({ length: hidden }, (_, u) => {
        let total = 0;
        for (let m = 0; m < l; m++)
          for (let c = 0; c < dim; c++)
            total +=
              (tokens[m]![c]! + Number(position[m * dim + c])) * Number(w1[(m * dim + c) * hidden + u]);
        return Math.max(0, total);
      });
      return Array.from({ length: dim }, (_, c) =>
        h1.reduce((s, h, u) => s + h * Number(w2[u * dim + c]), 0),
      );
    };
    const compressedK = Array.from({ length: kvHeads }, (_, kv) =>
      Array.from({ length: compressedCount }, (_, i) => compress('k', kv, i)),
    );
    const compressedV = Array.from({ length: kvHeads }, (_, kv) =>
      Array.from({ length: compressedCount }, (_, i) => compress('v', kv, i)),
    );
    const query = (h: number, t: number) => queryRows[h]![t]!;
    const pCmpCache = new Map<number, number[]>();
    const pCmp = (h: number, t: number): number[] => {
      const cached = pCmpCache.get(h * n + t);
      if (cached !== undefined) return cached;
      const p = pCmpUncached(h, t);
      pCmpCache.set(h * n + t, p);
      return p;
    };
    const pCmpUncached = (h: number, t: number): number[] => {
      const kv = Math.floor(h / group);
      const seen = compressedK[kv]!.map((_, i) => i * d + l - 1 <= t);
      if (!seen.some(Boolean)) return seen.map(() => 0);
      return softmaxRow(
        compressedK[kv]!.map((key) => dot(query(h, t), key) * scale),
        seen,
      );
    };
    const pSlc = (p: readonly number[]) =>
      Array.from({ length: blocks }, (_, j) => {
        let total = 0;
        for (let m = 0; m < selectBlock / d; m++)
          for (let o = 0; o < l / d; o++) {
            const index = (selectBlock / d) * j - m - o;
            if (index >= 0 && index < compressedCount) total += p[index]!;
          }
        return total;
      });
    const selectedBlocks = (kv: number, t: number): Set<number> => {
      const importance = new Array<number>(blocks).fill(0);
      for (let g = 0; g < group; g++)
        pSlc(pCmp(kv * group + g, t)).forEach((value, j) => {
          importance[j]! += value;
        });
      const own = Math.floor(t / selectBlock);
      const forced = new Set([0, own, own - 1].filter((j) => j >= 0));
      const others = Array.from({ length: own + 1 }, (_, j) => j).filter((j) => !forced.has(j));
      others.sort((a, b) => importance[b]! - importance[a]!);
      const room = Math.max(0, Math.min(sizes.selectCount, blocks) - forced.size);
      return new Set([...forced, ...others.slice(0, room)]);
    };
    const attend = (h: number, t: number, keep: (j: number) => boolean): number[] => {
      const kv = Math.floor(h / group);
      const keys = Array.from({ length: n }, (_, j) => j);
      const weights = softmaxRow(
        keys.map((j) => dot(query(h, t), kvRows('k', kv, j)) * scale),
        keys.map(keep),
      );
      return sumRows(
        weights.map((w, j) => scaled(kvRows('v', kv, j), w)),
        dim,
      );
    };
    const gate = (h: number, t: number, c: number) => {
      const x = rowOf(values.x!, { heads: 1, length: n, dim: model }, 0, 0, t);
      const weight = values[`${name}.gate.weight`]!;
      const bias = values[`${name}.gate.bias`];
      const column = h * 3 + c;
      const logit = x.reduce((s, xi, r) => s + xi * Number(weight[r * heads * 3 + column]), 0);
      return 1 / (1 + Math.exp(-(logit + (bias === undefined ? 0 : Number(bias[column])))));
    };
    const out = {
      output: [] as number[],
      compressed: [] as number[],
      selected: [] as number[],
      window: [] as number[],
    };
    for (let h = 0; h < heads; h++)
      for (let t = 0; t < n; t++) {
        const kv = Math.floor(h / group);
        const p = pCmp(h, t);
        const cmp = sumRows(
          p.map((w, i) => scaled(compressedV[kv]![i]!, w)),
          dim,
        );
        const chosen = selectedBlocks(kv, t);
        const slc = attend(h, t, (j) => j <= t && chosen.has(Math.floor(j / selectBlock)));
        const win = attend(h, t, (j) => j <= t && t - j < window);
        const mixed = cmp.map(
          (c, e) => gate(h, t, 0) * c + gate(h, t, 1) * slc[e]! + gate(h, t, 2) * win[e]!,
        );
        out.output.push(...mixed);
        out.compressed.push(...cmp);
        out.selected.push(...slc);
        out.window.push(...win);
      }
    return {
      output: Float64Array.from(out.output),
      compressed: Float64Array.from(out.compressed),
      selected: Float64Array.from(out.selected),
      window: Float64Array.from(out.window),
    };
  };
}

function scaled(row: readonly number[], weight: number): number[] {
  return row.map((value) => value * weight);
}

function sumRows(rows: readonly (readonly number[])[], dim: number): number[] {
  const total = new Array<number>(dim).fill(0);
  for (const row of rows)
    row.forEach((value, e) => {
      total[e]! += value;
    });
  return total;
}
