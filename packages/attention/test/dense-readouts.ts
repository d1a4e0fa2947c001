/**
 * Attention readouts written directly from their papers' formulas over dense float64
 * probabilities, independent of the op, its reference and its decomposition (the second oracle of
 * the readout tests). Layout as `naiveAttention`: query [B, H, Nq, d], key [B, Hkv, Nk, d].
 */
export interface DenseReadoutCase {
  readonly batch: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly queries: number;
  readonly keys: number;
  readonly headDim: number;
  readonly query: ArrayLike<number>;
  readonly key: ArrayLike<number>;
  /** Keep predicate (default all). */
  readonly keep?: (i: number, j: number) => boolean;
  /** Segment starts of the segment mass. */
  readonly segmentStarts: readonly number[];
  /** Probed rows (negative: from the end). */
  readonly probeRows: readonly number[];
  /** A sink logit (gpt-oss): one more term e^{sink} in every row's denominator, no key of its own. */
  readonly sink?: number;
  /** A map of each score q·k/√d (a softcap), default none. */
  readonly scoreMap?: (score: number) => number;
}

/** The dense readouts: each `[B, H, Nq]` (segment mass `[B, H, Nq, S]`), and A itself `[B, H, Nq, Nk]`. */
export interface DenseReadouts {
  readonly probabilities: Float64Array;
  /** Zhang et al. (88): H_i = −Σ_j a_ij log a_ij. */
  readonly entropy: Float64Array;
  /** Ditto (79): a_tt, the query's own key (bottom-right aligned: j = i + Nk − Nq). */
  readonly diagonal: Float64Array;
  /** Attention Basin (14) / Pruthi et al. (116): M_is = Σ_{j∈segment s} a_ij. */
  readonly segmentMass: Float64Array;
  /** Sentinel (42) / Attention Sorting (45): the rows a_{r,·} of the probed queries `[B, H, R, Nk]`. */
  readonly probeRows: Float64Array;
}

/** A = softmax(q·kᵀ/√d) over the kept keys (and the sink), then each readout from its formula. */
export function denseReadouts(c: DenseReadoutCase): DenseReadouts {
  const { batch, heads, queries: nq, keys: nk, headDim: d } = c;
  const segments = c.segmentStarts.length;
  const probabilities = new Float64Array(batch * heads * nq * nk);
  const entropy = new Float64Array(batch * heads * nq);
  const diagonal = new Float64Array(batch * heads * nq);
  const segmentMass = new Float64Array(batch * heads * nq * segments);
  for (let b = 0; b < batch; b++)
    for (let h = 0; h < heads; h++) {
      const kvHead = Math.floor((h * c.kvHeads) / heads);
      for (let i = 0; i < nq; i++) {
        const row = (b * heads + h) * nq + i;
        const logits: number[] = [];
        for (let j = 0; j < nk; j++) {
          if (c.keep !== undefined && !c.keep(i, j)) {
            logits.push(Number.NEGATIVE_INFINITY);
            continue;
          }
          let dot = 0;
          for (let x = 0; x < d; x++)
            dot += c.query[row * d + x]! * c.key[((b * c.kvHeads + kvHead) * nk + j) * d + x]!;
          logits.push(c.scoreMap === undefined ? dot / Math.sqrt(d) : c.scoreMap(dot / Math.sqrt(d)));
        }
        const keyTop = Math.max(...logits);
        const top = c.sink === undefined ? keyTop : Math.max(keyTop, c.sink);
        const exps = logits.map((s) => (s === Number.NEGATIVE_INFINITY ? 0 : Math.exp(s - top)));
        const sinkTerm =
          c.sink === undefined || keyTop === Number.NEGATIVE_INFINITY ? 0 : Math.exp(c.sink - top);
        const total = exps.reduce((a, x) => a + x, 0) + sinkTerm;
        exps.forEach((e, j) => {
          const a = total > 0 ? e / total : 0;
          probabilities[row * nk + j] = a;
          if (a > 0) entropy[row]! -= a * Math.log(a);
          if (j === i + nk - nq) diagonal[row] = a;
          let s = segments - 1;
          while (c.segmentStarts[s]! > j) s--;
          segmentMass[row * segments + s]! += a;
        });
      }
    }
  const rows = c.probeRows.map((row) => (row < 0 ? row + nq : row));
  const probeRows = new Float64Array(batch * heads * rows.length * nk);
  for (let bh = 0; bh < batch * heads; bh++)
    rows.forEach((row, r) => {
      probeRows.set(
        probabilities.subarray((bh * nq + row) * nk, (bh * nq + row + 1) * nk),
        (bh * rows.length + r) * nk,
      );
    });
  return { probabilities, entropy, diagonal, segmentMass, probeRows };
}
