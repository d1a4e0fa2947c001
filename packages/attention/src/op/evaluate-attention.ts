import { compileExpr, type Expr, emptyTensor64, InputError, type Tensor64 } from '@weft/ir';
import { readsL1Distance } from '../spec/attention-variables.js';
import type { AttentionAttrs } from './attention-attrs.js';
import { mixHeads, normalizeRows, rotateRows } from './prepare-rows.js';
import { readoutWidth, writeReadoutRow } from './readout-row.js';

/**
 * The float64 reference of the attention op: it mixes key and value heads (weighted GQA),
 * normalizes q and k rows (QK norm), rotates them (RoPE), then for every (batch, head, query) —
 * key head ⌊h·Hk/H⌋, value head ⌊h·Hv/H⌋ — computes every score with the score Expr (from the
 * dot product and, when the score reads it, the L1 distance of the prepared rows), keeps the pairs the mask keeps, turns the kept
 * scores into weights with the normalizer and sums the value rows. Direct loops, no tiling: the
 * definition the fused kernel is checked against. Fully masked rows give 0 (log-sum-exp and row max −∞);
 * a normalizer's `finishRow` (identity's output norm) runs over each finished row.
 */
export function evaluateAttention(inputs: readonly Tensor64[], attrs: AttentionAttrs): Tensor64 {
  let [query, key, value] = inputs as [Tensor64, Tensor64, Tensor64];
  const captured = new Map(attrs.tensors.map((use, position) => [use.name, inputs[3 + position]!]));
  if (attrs.kvWeights !== null) {
    key = mixHeads(key, captured.get(attrs.kvWeights)!);
    value = mixHeads(value, captured.get(attrs.kvWeights)!);
  }
  const [batch, heads, queries, headDim] = query.shape as [number, number, number, number];
  const [, kvHeads, keys] = key.shape as [number, number, number];
  const [, valueHeads, , valueDim] = value.shape as [number, number, number, number];
  const read = (tensor: string, index: readonly number[]): number => readElement(captured, tensor, index);
  const score = compileExpr(attrs.score);
  const keep = attrs.mask === null ? undefined : compileExpr(attrs.mask);
  const variables: Record<string, number> = {
    queryLength: queries,
    keyLength: keys,
    b: 0,
    h: 0,
    kvHead: 0,
    valueHead: 0,
    q: 0,
    k: 0,
    score: 0,
    l1Distance: 0,
  };
  const withDistance = readsL1Distance(attrs.score);
  const env = { variables, read };
  const evaluate = (expr: Expr) => compileExpr(expr)(env);
  const normalizer = attrs.normalizerDef;
  const parameter = (name: string) => captured.get(name)!;
  const prepare = (tensor: Tensor64, side: 'query' | 'key', offset: number) => {
    const data = Float64Array.from(tensor.data);
    if (attrs.qkNorm !== null) normalizeRows(data, headDim, attrs.qkNorm, attrs.qkNorm[side], parameter);
    if (attrs.rope !== null) rotateRows(data, tensor.shape[2]!, headDim, attrs.rope, offset);
    return data;
  };
  const rotatedQuery = prepare(query, 'query', keys - queries);
  const rotatedKey = prepare(key, 'key', 0);
  const lse = attrs.output === 'logSumExp' || attrs.output === 'rowMax';
  const readout = lse || attrs.output === 'output' ? undefined : attrs.output;
  const width = readoutWidth(attrs);
  const probes = attrs.output === 'probeRows' ? attrs.probeRows! : [];
  const result = emptyTensor64(
    attrs.output === 'output'
      ? [batch, heads, queries, valueDim]
      : attrs.output === 'probeRows'
        ? [batch, heads, probes.length, keys]
        : width === 1
          ? [batch, heads, queries]
          : [batch, heads, queries, width],
    'f32',
  );
  const scores: number[] = [];
  const kept: number[] = [];
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      const kvHead = Math.floor((h * kvHeads) / heads);
      const valueHead = Math.floor((h * valueHeads) / heads);
      variables.b = b;
      variables.h = h;
      // The declared head counts: under weighted GQA the mixed rows above no longer carry them.
      variables.kvHead = Math.floor((h * attrs.kvHeads) / attrs.heads);
      variables.valueHead = Math.floor((h * attrs.valueHeads) / attrs.heads);
      for (let q = 0; q < queries; q++) {
        variables.q = q;
        scores.length = 0;
        kept.length = 0;
        const queryRow = ((b * heads + h) * queries + q) * headDim;
        for (let k = 0; k < keys; k++) {
          variables.k = k;
          if (keep !== undefined && keep(env) === 0) continue;
          const keyRow = ((b * kvHeads + kvHead) * keys + k) * headDim;
          let dot = 0;
          let distance = 0;
          for (let d = 0; d < headDim; d++) {
            dot += rotatedQuery[queryRow + d]! * rotatedKey[keyRow + d]!;
            if (withDistance) distance += Math.abs(rotatedQuery[queryRow + d]! - rotatedKey[keyRow + d]!);
          }
          variables.score = dot;
          variables.l1Distance = distance;
          scores.push(score(env));
          kept.push(k);
        }
        const row = normalizer.reference(attrs.normalizer, scores, {
          env,
          evaluate,
          keys,
          keyIndices: kept,
          queryPosition: q + keys - queries,
          values: {
            valueDim,
            at: (position, d) =>
              value.data[((b * valueHeads + valueHead) * keys + kept[position]!) * valueDim + d]!,
          },
        });
        if (readout === 'probeRows') {
          probes.forEach((probe, index) => {
            if ((probe < 0 ? probe + queries : probe) !== q) return;
            const probeRow = ((b * heads + h) * probes.length + index) * keys;
            kept.forEach((k, position) => {
              result.data[probeRow + k] = row.weights[position]!;
            });
          });
          continue;
        }
        if (readout !== undefined) {
          const offset = ((b * heads + h) * queries + q) * width;
          writeReadoutRow(readout, attrs, row.weights, kept, q + keys - queries, result.data, offset);
          continue;
        }
        if (lse) {
          result.data[(b * heads + h) * queries + q] =
            attrs.output === 'logSumExp' ? row.logSumExp : Math.max(-Infinity, ...scores);
          continue;
        }
        const outputRow = ((b * heads + h) * queries + q) * valueDim;
        kept.forEach((k, position) => {
          const weight = row.weights[position]!;
          if (weight === 0) return;
          const valueRow = ((b * valueHeads + valueHead) * keys + k) * valueDim;
          for (let d = 0; d < valueDim; d++)
            result.data[outputRow + d]! += weight * value.data[valueRow + d]!;
        });
        if (row.selfTerm !== undefined)
          for (let d = 0; d < valueDim; d++)
            result.data[outputRow + d]! += row.selfTerm.weight * row.selfTerm.row[d]!;
        normalizer.finishRow?.(attrs.normalizer, result.data, outputRow, valueDim);
      }
    }
  }
  return result;
}

function readElement(
  captured: ReadonlyMap<string, Tensor64>,
  tensor: string,
  index: readonly number[],
): number {
  const source = captured.get(tensor);
  if (source === undefined) throw new InputError('attention reads a tensor that is not bound', { tensor });
  let flat = 0;
  for (let axis = 0; axis < source.shape.length; axis++) {
    const i = index[axis]!;
    const size = source.shape[axis]!;
    if (!Number.isInteger(i) || i < 0 || i >= size) {
      throw new InputError('attention reads a captured tensor out of range', {
        tensor,
        dimension: axis,
        expected: `0..${size - 1}`,
        actual: i,
      });
    }
    flat = flat * size + i;
  }
  return source.data[flat]!;
}
