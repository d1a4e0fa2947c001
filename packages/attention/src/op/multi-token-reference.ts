import type { Tensor64 } from '@weft/ir';
import { type MultiTokenAttrs, multiTokenOperands } from './multi-token-attrs.js';

/**
 * Float64 definition of a Multi-Token node, one (batch, head group, query row) at a time, never
 * forming the N×N map: the masked logits L (0 where masked or outside the sequence), their
 * per-head c_q×c_k convolution (causal over queries, centred over keys), the optional pre-softmax
 * head mix, the softmax over the kept keys; then the optional post-softmax head mix (with the
 * statistics operand's row max and sum, as the device's second kernel), O = A V and the optional
 * group norm. The `stats` result holds (max, Σ exp(z − max)) of each row's mixed logits.
 */
export function evaluateMultiToken(
  inputs: readonly Tensor64[],
  attrs: MultiTokenAttrs,
  precision: 'f64' | 'f32' = 'f64',
): Tensor64 {
  // f32: every intermediate rounded and every sum accumulated in f32, in order (OpDef.evaluatesF32).
  const r = precision === 'f32' ? Math.fround : (x: number) => x;
  const at = multiTokenOperands(attrs);
  const q = inputs[at.query]!;
  const k = inputs[at.key]!;
  const theta = inputs[at.kernel]!.data;
  const mix = at.headMix < 0 ? undefined : inputs[at.headMix]!.data;
  const [batch, heads, queries, dim] = q.shape as [number, number, number, number];
  const keys = k.shape[2]!;
  const { queryKernel: cq, keyKernel: ck, mixGroup: group, valueDim: dv } = attrs;
  const half = (ck - 1) / 2;
  const scale = 1 / Math.sqrt(dim);
  const kvHead = (h: number) => Math.floor((h * attrs.kvHeads) / heads);
  const valueHead = (h: number) => Math.floor((h * attrs.valueHeads) / heads);
  const kept = (row: number, col: number) => !attrs.causal || col <= row;
  const logit = (b: number, h: number, row: number, col: number): number => {
    if (row < 0 || row >= queries || col < 0 || col >= keys || !kept(row, col)) return 0;
    let dot = 0;
    const qBase = ((b * heads + h) * queries + row) * dim;
    const kBase = ((b * attrs.kvHeads + kvHead(h)) * keys + col) * dim;
    for (let e = 0; e < dim; e++) dot = r(dot + r(q.data[qBase + e]! * k.data[kBase + e]!));
    return r(dot * r(scale));
  };
  const convolved = (b: number, h: number, i: number, j: number): number => {
    let total = 0;
    for (let a = 0; a < cq; a++)
      for (let c = 0; c < ck; c++)
        total = r(total + r(theta[(h * cq + a) * ck + c]! * logit(b, h, i - cq + 1 + a, j - half + c)));
    return total;
  };
  /** W_g[from, to] mixes `values` (one per head of group g) into head `to`. */
  const mixed = (g: number, values: readonly number[], to: number) =>
    values.reduce((total, value, from) => r(total + r(mix![(g * group + from) * group + to]! * value)), 0);
  const groups = heads / group;
  const stats = attrs.result === 'stats';
  const out = new Float64Array(batch * heads * queries * (stats ? 2 : dv));
  for (let b = 0; b < batch; b++)
    for (let g = 0; g < groups; g++)
      for (let i = 0; i < queries; i++) {
        const members = Array.from({ length: group }, (_, c) => g * group + c);
        const columns = Array.from({ length: keys }, (_, j) => j).filter((j) => kept(i, j));
        // z[c][n]: the (mixed) logits of head c over the kept keys.
        const z = members.map((h) => columns.map((j) => convolved(b, h, i, j)));
        const logits =
          attrs.mixPlacement === 'preSoftmax'
            ? members.map((_, to) =>
                columns.map((_, n) =>
                  mixed(
                    g,
                    z.map((row) => row[n]!),
                    to,
                  ),
                ),
              )
            : z;
        const rows = members.map((h, c) =>
          rowStats(logits[c]!, inputs, at.stats, ((b * heads + h) * queries + i) * 2, r),
        );
        if (stats) {
          members.forEach((h, c) => {
            out[((b * heads + h) * queries + i) * 2] = rows[c]!.max;
            out[((b * heads + h) * queries + i) * 2 + 1] = rows[c]!.sum;
          });
          continue;
        }
        const probabilities = logits.map((row, c) =>
          row.map((x) => r(r(Math.exp(r(x - rows[c]!.max))) / rows[c]!.sum)),
        );
        const weights =
          attrs.mixPlacement === 'postSoftmax'
            ? members.map((_, to) =>
                columns.map((_, n) =>
                  mixed(
                    g,
                    probabilities.map((row) => row[n]!),
                    to,
                  ),
                ),
              )
            : probabilities;
        members.forEach((h, c) => {
          const o = new Float64Array(dv);
          columns.forEach((j, n) => {
            const base = ((b * attrs.valueHeads + valueHead(h)) * keys + j) * dv;
            for (let e = 0; e < dv; e++)
              o[e] = r(o[e]! + r(weights[c]![n]! * inputs[at.value]!.data[base + e]!));
          });
          const norm = groupNorm(
            o,
            attrs.groupNormEpsilon,
            at.normGain < 0 ? undefined : inputs[at.normGain]!.data,
            r,
          );
          out.set(norm, ((b * heads + h) * queries + i) * dv);
        });
      }
  return { shape: [batch, heads, queries, stats ? 2 : dv], dtype: 'f32', data: out };
}

/** A row's max and Σ exp(x − max): from the statistics operand when the node reads one. */
function rowStats(
  row: readonly number[],
  inputs: readonly Tensor64[],
  statsOperand: number,
  offset: number,
  r: (x: number) => number,
): { max: number; sum: number } {
  if (statsOperand >= 0) {
    const stats = inputs[statsOperand]!.data;
    return { max: stats[offset]!, sum: stats[offset + 1]! };
  }
  const max = row.reduce((m, x) => Math.max(m, x), -Infinity);
  return { max, sum: row.reduce((total, x) => r(total + r(Math.exp(r(x - max)))), 0) };
}

/** RMSNorm over d_v with gain γ (the paper's `subln`), or `o` itself without a group norm. */
function groupNorm(
  o: Float64Array,
  epsilon: number | null,
  gain: ArrayLike<number> | undefined,
  r: (x: number) => number,
): Float64Array {
  if (epsilon === null) return o;
  const meanSquare = r(o.reduce((total, x) => r(total + r(x * x)), 0) / o.length);
  const inverse = r(1 / r(Math.sqrt(r(meanSquare + epsilon))));
  return o.map((x, e) => r(r(x * inverse) * gain![e]!));
}
