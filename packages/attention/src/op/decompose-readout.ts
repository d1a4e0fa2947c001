import {
  type Dim,
  gather,
  greater,
  isSymbolic,
  literal,
  log,
  matmul,
  mul,
  type Node,
  neg,
  reshape,
  sum,
  UnsupportedError,
  where,
} from '@weft/ir';
import type { AttentionAttrs, AttentionReadoutKind } from './attention-attrs.js';

/**
 * A readout of the materialized probabilities `P [B, H, Nq, Nk]` as primitive ops (the unfused
 * baseline): entropy −Σ_j p log p (0 log 0 = 0), the diagonal as Σ_j p_ij·[j = i + Nk − Nq], the
 * segment mass as P times the one-hot `[Nk, S]` key-to-segment matrix, the relative mass as P times
 * a per-query one-hot of the clipped offset, the probes as a gather of rows. The diagonal, segment mass and probes need static query and key lengths.
 */
export function decomposeReadout(
  kind: AttentionReadoutKind,
  attrs: AttentionAttrs,
  probabilities: Node,
  shape: readonly Dim[],
): Node {
  if (kind === 'entropy') {
    const terms = where(greater(probabilities, 0), mul(probabilities, log(probabilities)), 0);
    return reshape(neg(sum(terms, -1)), shape);
  }
  const queries = probabilities.shape[2]!;
  const keys = probabilities.shape[3]!;
  if (isSymbolic(queries) || isSymbolic(keys))
    throw new UnsupportedError(
      `attention "${attrs.block}": the ${kind} readout decomposes for static lengths only`,
      {
        block: attrs.block,
        expected: 'static query and key lengths',
        actual: `${String(queries)} × ${String(keys)}`,
      },
    );
  const nq = queries as number;
  const nk = keys as number;
  if (kind === 'probeRows') {
    const rows = attrs.probeRows!.map((row) => (row < 0 ? row + nq : row));
    return gather(probabilities, literal(rows, [rows.length], 'i32'), 2);
  }
  if (kind === 'diagonal') {
    const own = Array.from({ length: nq * nk }, (_, flat) =>
      flat % nk === Math.floor(flat / nk) + nk - nq ? 1 : 0,
    );
    return reshape(sum(mul(probabilities, literal(own, [nq, nk], 'f32')), -1), shape);
  }
  if (kind === 'relativeMass') {
    // P [.., Nq, 1, Nk] times the per-query one-hot [Nq, Nk, 2K + 1] of clip(i + Nk − Nq − j).
    const clip = attrs.relativeClip!;
    const width = 2 * clip + 1;
    const oneHot = Array.from({ length: nq * nk * width }, (_, flat) => {
      const bucket = flat % width;
      const key = Math.floor(flat / width) % nk;
      const query = Math.floor(flat / (width * nk));
      return Math.min(clip, Math.max(-clip, query + nk - nq - key)) + clip === bucket ? 1 : 0;
    });
    const [batch, heads] = probabilities.shape as [Dim, Dim];
    const rows = reshape(probabilities, [batch, heads, nq, 1, nk]);
    return reshape(matmul(rows, literal(oneHot, [nq, nk, width], 'f32')), shape);
  }
  const starts = attrs.keySegments!;
  const segments = starts.length;
  const oneHot = Array.from({ length: nk * segments }, (_, flat) => {
    const key = Math.floor(flat / segments);
    const segment = flat % segments;
    const end = segment + 1 < segments ? starts[segment + 1]! : Number.POSITIVE_INFINITY;
    return key >= starts[segment]! && key < end ? 1 : 0;
  });
  return reshape(matmul(probabilities, literal(oneHot, [nk, segments], 'f32')), shape);
}
