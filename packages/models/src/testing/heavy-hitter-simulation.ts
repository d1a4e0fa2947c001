/**
 * Host-side float64 simulation of the heavy-hitter cache policy, written from the rule (H2O) and
 * independent of the graph: per KV head a list of cached entries (position, key, value, score);
 * each step appends its rows, runs causal softmax attention of every query head over its KV head's
 * entries, adds each probability to the entry's score, then keeps the `recent` latest positions and
 * the `heavy` best-scored others (ties to the older position).
 */

/** One cached entry of a KV head. */
interface Entry {
  readonly position: number;
  readonly key: Float64Array;
  readonly value: Float64Array;
  score: number;
}

/** A step's rows: `query[h][i]`, `key[g][i]`, `value[g][i]`. */
export interface SimulatedStep {
  readonly query: readonly (readonly Float64Array[])[];
  readonly key: readonly (readonly Float64Array[])[];
  readonly value: readonly (readonly Float64Array[])[];
}

/** What the simulation reports after a step. */
export interface SimulatedResult {
  /** Attention output `[H][seq][dv]`, flattened in that order. */
  readonly output: Float64Array;
  /** Kept positions per KV head, ascending. */
  readonly kept: number[][];
  /** Kept scores per KV head, in the order of `kept`. */
  readonly scores: number[][];
  /**
   * Smallest relative gap, over the KV heads that evicted, between the lowest kept and the highest
   * evicted heavy score: a decision an f32 run can only flip when its score error exceeds this.
   */
  readonly margin: number;
}

/** The simulated cache of one attention layer. */
export class HeavyHitterSimulation {
  readonly #entries: Entry[][];
  #length = 0;

  constructor(
    private readonly heads: number,
    private readonly kvHeads: number,
    private readonly heavy: number,
    private readonly recent: number,
  ) {
    this.#entries = Array.from({ length: kvHeads }, () => []);
  }

  /** Runs one step of `seq` rows at positions `length .. length + seq − 1`. */
  step(rows: SimulatedStep): SimulatedResult {
    const seq = rows.key[0]!.length;
    const past = this.#length;
    for (let g = 0; g < this.kvHeads; g++) {
      for (let i = 0; i < seq; i++) {
        this.#entries[g]!.push({
          position: past + i,
          key: rows.key[g]![i]!,
          value: rows.value[g]![i]!,
          score: 0,
        });
      }
    }
    const valueDim = rows.value[0]![0]!.length;
    const output = new Float64Array(this.heads * seq * valueDim);
    for (let h = 0; h < this.heads; h++) {
      const entries = this.#entries[Math.floor((h * this.kvHeads) / this.heads)]!;
      for (let i = 0; i < seq; i++) {
        const query = rows.query[h]![i]!;
        const visible = entries.filter((entry) => entry.position <= past + i);
        const logits = visible.map((entry) => dot(query, entry.key) / Math.sqrt(query.length));
        const top = Math.max(...logits);
        const weights = logits.map((logit) => Math.exp(logit - top));
        const total = weights.reduce((a, b) => a + b, 0);
        visible.forEach((entry, n) => {
          const p = weights[n]! / total;
          entry.score += p;
          for (let c = 0; c < valueDim; c++) output[(h * seq + i) * valueDim + c]! += p * entry.value[c]!;
        });
      }
    }
    this.#length = past + seq;
    let margin = Number.POSITIVE_INFINITY;
    for (let g = 0; g < this.kvHeads; g++) {
      const entries = this.#entries[g]!;
      const recent = entries.filter((entry) => entry.position > this.#length - 1 - this.recent);
      const others = entries
        .filter((entry) => entry.position <= this.#length - 1 - this.recent)
        .sort((a, b) => b.score - a.score || a.position - b.position);
      if (others.length > this.heavy && this.heavy > 0) {
        const kept = others[this.heavy - 1]!.score;
        const evicted = others[this.heavy]!.score;
        margin = Math.min(margin, (kept - evicted) / Math.max(kept, 1e-30));
      }
      const heavy = others.slice(0, this.heavy);
      this.#entries[g] = [...heavy, ...recent].sort((a, b) => a.position - b.position);
    }
    return {
      output,
      kept: this.#entries.map((entries) => entries.map((entry) => entry.position)),
      scores: this.#entries.map((entries) => entries.map((entry) => entry.score)),
      margin,
    };
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let total = 0;
  for (let i = 0; i < a.length; i++) total += a[i]! * b[i]!;
  return total;
}
