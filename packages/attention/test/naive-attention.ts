/**
 * A hand-written float64 attention, independent of the IR and its Exprs: the second oracle of the
 * attention tests. Layout: query [B, H, Nq, dk], key [B, Hkv, Nk, dk], value [B, Hkv, Nk, dv].
 */
export interface NaiveAttentionCase {
  readonly batch: number;
  readonly heads: number;
  readonly kvHeads: number;
  /** Value heads (default kvHeads): query head h reads value head ⌊h·valueHeads/heads⌋. */
  readonly valueHeads?: number;
  readonly queries: number;
  readonly keys: number;
  readonly headDim: number;
  readonly valueDim: number;
  readonly query: ArrayLike<number>;
  readonly key: ArrayLike<number>;
  readonly value: ArrayLike<number>;
  /** Multiplies q·k (default 1/√dk). */
  readonly scale?: number;
  readonly softcap?: number;
  /** Replaces the scaled score s by f(s, Σ_d |q_d − k_d|) of the prepared rows (after softcap, before bias). */
  readonly withL1Distance?: (score: number, distance: number) => number;
  /** Added after scale and softcap. */
  readonly bias?: (b: number, h: number, i: number, j: number) => number;
  /** Keep predicate (default all). */
  readonly keep?: (b: number, h: number, i: number, j: number) => boolean;
  readonly normalizer?:
    | 'softmax'
    | 'sigmoid'
    | 'reluSquared'
    | 'relu-l1'
    | 'softplus-l1'
    | 'sparsemax'
    | { entmax: number }
    | { nap: { gain: readonly number[]; bias: readonly number[]; epsilon: number } }
    | { identity: { norm: 'rms' | 'layer' | 'none'; epsilon: number } };
  readonly sigmoidBias?: number;
  readonly sink?: number;
  /** RoPE (half layout, all dims) with this base; query positions i + Nk − Nq. */
  readonly ropeBase?: number;
  /** 2-D RoPE on this [height, width] grid (with `ropeBase`): first half of the dims by row, second by column. */
  readonly ropeGrid?: readonly [number, number];
  /** QK norm before RoPE; γ of length 1 or dk, β of length dk. */
  readonly qkNorm?: {
    readonly kind: 'l2' | 'rms' | 'layer';
    readonly epsilon: number;
    readonly queryGamma?: readonly number[];
    readonly keyGamma?: readonly number[];
    readonly queryBeta?: readonly number[];
    readonly keyBeta?: readonly number[];
  };
  /** Weighted GQA weights `[H, Hkv]` (row-major): head h reads Σ_j w[h, j]·K_j and Σ_j w[h, j]·V_j. */
  readonly kvWeights?: readonly number[];
}

/** O `[B, H, Nq, dv]`, the row log-sum-exp (softmax) and row max `[B, H, Nq]` (−∞ for empty rows). */
export function naiveAttention(c: NaiveAttentionCase): {
  output: Float64Array;
  logSumExp: Float64Array;
  rowMax: Float64Array;
} {
  const scale = c.scale ?? 1 / Math.sqrt(c.headDim);
  const output = new Float64Array(c.batch * c.heads * c.queries * c.valueDim);
  const logSumExp = new Float64Array(c.batch * c.heads * c.queries);
  const rowMax = new Float64Array(c.batch * c.heads * c.queries);
  const group = c.heads / c.kvHeads;
  for (let b = 0; b < c.batch; b++) {
    for (let h = 0; h < c.heads; h++) {
      const g = Math.floor(h / group);
      const valueGroup = Math.floor((h * (c.valueHeads ?? c.kvHeads)) / c.heads);
      for (let i = 0; i < c.queries; i++) {
        const q = normRow(
          row(c.query, ((b * c.heads + h) * c.queries + i) * c.headDim, c.headDim),
          c,
          'query',
        );
        const qr = positioned(q, i + c.keys - c.queries, c);
        const kept: number[] = [];
        const scores: number[] = [];
        for (let j = 0; j < c.keys; j++) {
          if (c.keep !== undefined && !c.keep(b, h, i, j)) continue;
          const k = normRow(headRow(c.key, c, b, h, g, j, c.headDim), c, 'key');
          const kr = positioned(k, j, c);
          let s = 0;
          for (let d = 0; d < c.headDim; d++) s += qr[d]! * kr[d]!;
          s *= scale;
          if (c.softcap !== undefined) s = c.softcap * Math.tanh(s / c.softcap);
          if (c.withL1Distance !== undefined) {
            let distance = 0;
            for (let d = 0; d < c.headDim; d++) distance += Math.abs(qr[d]! - kr[d]!);
            s = c.withL1Distance(s, distance);
          }
          if (c.bias !== undefined) s += c.bias(b, h, i, j);
          kept.push(j);
          scores.push(s);
        }
        const { weights, lse } = normalizeRow(scores, c, h);
        logSumExp[(b * c.heads + h) * c.queries + i] = lse;
        rowMax[(b * c.heads + h) * c.queries + i] = scores.reduce((m, s) => Math.max(m, s), -Infinity);
        for (let t = 0; t < kept.length; t++) {
          const v = headRow(c.value, c, b, h, g, kept[t]!, c.valueDim, valueGroup);
          for (let d = 0; d < c.valueDim; d++)
            output[((b * c.heads + h) * c.queries + i) * c.valueDim + d]! += weights[t]! * v[d]!;
        }
        if (typeof c.normalizer === 'object' && 'identity' in c.normalizer)
          normOutput(
            output,
            ((b * c.heads + h) * c.queries + i) * c.valueDim,
            c.valueDim,
            c.normalizer.identity,
          );
      }
    }
  }
  return { output, logSumExp, rowMax };
}

function normalizeRow(
  scores: readonly number[],
  c: NaiveAttentionCase,
  h: number,
): { weights: number[]; lse: number } {
  const normalizer = c.normalizer ?? 'softmax';
  if (typeof normalizer === 'object' && 'identity' in normalizer)
    return { weights: [...scores], lse: -Infinity };
  if (typeof normalizer === 'object' && 'nap' in normalizer) {
    // Two plain passes: mean, then the population variance.
    const { gain, bias, epsilon } = normalizer.nap;
    const n = scores.length;
    let total = 0;
    for (const s of scores) total += s;
    const mean = total / n;
    let squares = 0;
    for (const s of scores) squares += (s - mean) * (s - mean);
    const sigma = Math.sqrt(squares / n) + epsilon;
    return { weights: scores.map((s) => (gain[h]! * (s - mean)) / sigma + bias[h]!), lse: -Infinity };
  }
  if (normalizer === 'softmax') {
    const all = c.sink === undefined ? scores : [...scores, c.sink];
    if (all.length === 0) return { weights: [], lse: -Infinity };
    const m = Math.max(...all);
    const z = all.reduce((sum, s) => sum + Math.exp(s - m), 0);
    return { weights: scores.map((s) => Math.exp(s - m) / z), lse: m + Math.log(z) };
  }
  if (normalizer === 'sigmoid')
    return { weights: scores.map((s) => 1 / (1 + Math.exp(-(s + (c.sigmoidBias ?? 0))))), lse: -Infinity };
  if (normalizer === 'reluSquared')
    return { weights: scores.map((s) => Math.max(0, s) ** 2 / c.keys), lse: -Infinity };
  if (normalizer === 'relu-l1' || normalizer === 'softplus-l1') {
    const f = scores.map((s) => (normalizer === 'relu-l1' ? Math.max(0, s) : Math.log(1 + Math.exp(s))));
    const z = f.reduce((a, b) => a + b, 0);
    return { weights: f.map((x) => (z > 0 ? x / z : 0)), lse: -Infinity };
  }
  const alpha = normalizer === 'sparsemax' ? 2 : normalizer.entmax;
  return { weights: entmaxBySort(scores, alpha), lse: -Infinity };
}

/** α-entmax by a dense scan over candidate supports (sparsemax exact; other α by 200-step bisection). */
function entmaxBySort(scores: readonly number[], alpha: number): number[] {
  if (scores.length === 0) return [];
  const x = scores.map((s) => (alpha - 1) * s);
  const power = 1 / (alpha - 1);
  const mass = (tau: number) => x.reduce((sum, v) => sum + Math.max(0, v - tau) ** power, 0);
  let lo = Math.min(...x) - 1;
  let hi = Math.max(...x);
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (mass(mid) >= 1) lo = mid;
    else hi = mid;
  }
  const p = x.map((v) => Math.max(0, v - (lo + hi) / 2) ** power);
  const z = p.reduce((a, b) => a + b, 0);
  return p.map((v) => v / z);
}

/** Output row norm of the identity normalizer, two plain passes; a zero row stays 0. */
function normOutput(
  output: Float64Array,
  start: number,
  dim: number,
  norm: { norm: 'rms' | 'layer' | 'none'; epsilon: number },
): void {
  if (norm.norm === 'none') return;
  const x = row(output, start, dim);
  const mean = norm.norm === 'layer' ? x.reduce((a, v) => a + v, 0) / dim : 0;
  const variance = x.reduce((a, v) => a + (v - mean) * (v - mean), 0) / dim;
  const root = Math.sqrt(variance + norm.epsilon);
  x.forEach((v, d) => {
    output[start + d] = root === 0 ? 0 : (v - mean) / root;
  });
}

function row(data: ArrayLike<number>, start: number, length: number): number[] {
  return Array.from({ length }, (_, d) => Number(data[start + d]));
}

/** Key or value row j of query head h: KV head g, or the weighted mix of all KV heads. */
function headRow(
  data: ArrayLike<number>,
  c: NaiveAttentionCase,
  b: number,
  h: number,
  g: number,
  j: number,
  dim: number,
  valueHead?: number,
): number[] {
  if (valueHead !== undefined && c.kvWeights === undefined) {
    const heads = c.valueHeads ?? c.kvHeads;
    return row(data, ((b * heads + valueHead) * c.keys + j) * dim, dim);
  }
  const at = (head: number) => row(data, ((b * c.kvHeads + head) * c.keys + j) * dim, dim);
  if (c.kvWeights === undefined) return at(g);
  const mixed = new Array<number>(dim).fill(0);
  for (let head = 0; head < c.kvHeads; head++) {
    const w = c.kvWeights[h * c.kvHeads + head]!;
    at(head).forEach((x, d) => {
      mixed[d]! += w * x;
    });
  }
  return mixed;
}

function normRow(x: number[], c: NaiveAttentionCase, side: 'query' | 'key'): number[] {
  const n = c.qkNorm;
  if (n === undefined) return x;
  const mean = n.kind === 'layer' ? x.reduce((a, b) => a + b, 0) / x.length : 0;
  const centered = x.map((v) => v - mean);
  const norm = Math.sqrt(centered.reduce((a, v) => a + v * v, 0));
  const divisor =
    n.kind === 'l2' ? Math.max(norm, n.epsilon) : Math.sqrt((norm * norm) / x.length + n.epsilon);
  const gamma = side === 'query' ? n.queryGamma : n.keyGamma;
  const beta = side === 'query' ? n.queryBeta : n.keyBeta;
  return centered.map(
    (v, d) =>
      (v / divisor) * (gamma === undefined ? 1 : gamma[gamma.length === 1 ? 0 : d]!) + (beta?.[d] ?? 0),
  );
}

function positioned(x: number[], position: number, c: NaiveAttentionCase): number[] {
  if (c.ropeBase === undefined) return x;
  if (c.ropeGrid === undefined) return ropeRow(x, position, c.ropeBase);
  const half = x.length / 2;
  const width = c.ropeGrid[1];
  return [
    ...ropeRow(x.slice(0, half), Math.floor(position / width), c.ropeBase),
    ...ropeRow(x.slice(half), position % width, c.ropeBase),
  ];
}

function ropeRow(x: readonly number[], position: number, base: number): number[] {
  const half = x.length / 2;
  const out = [...x];
  for (let i = 0; i < half; i++) {
    const angle = position / base ** ((2 * i) / x.length);
    out[i] = x[i]! * Math.cos(angle) - x[i + half]! * Math.sin(angle);
    out[i + half] = x[i + half]! * Math.cos(angle) + x[i]! * Math.sin(angle);
  }
  return out;
}
