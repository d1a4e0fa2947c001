/**
 * Host-side float64 simulation of LTE attention with its inference cache (He & Garner, catalog
 * #82), written from the rule and independent of the graph: per KV head every token (position,
 * router logit c, key, value) is recorded; before query i the token leaving the window (i − w − 1)
 * is handled in order — a sink stays, a kept one (c > 0) enters the retained buffer, and a buffer
 * over `budget` drops its lowest-score token (ties: the older) — and query i attends causally to
 * the sinks, the retained buffer and positions i − w … i.
 */

interface Token {
  readonly position: number;
  readonly logit: number;
  readonly key: Float64Array;
  readonly value: Float64Array;
}

/** A step's rows: `query[h][i]`, `key[g][i]`, `value[g][i]`, `logits[g][i]`. */
export interface LteStepRows {
  readonly query: readonly (readonly Float64Array[])[];
  readonly key: readonly (readonly Float64Array[])[];
  readonly value: readonly (readonly Float64Array[])[];
  readonly logits: readonly (readonly number[])[];
}

/** What the simulation reports after a step. */
export interface LteSimulatedResult {
  /** Attention output `[H][seq][dv]`, flattened in that order. */
  readonly output: Float64Array;
  /** Per KV head, ascending: the cached positions the next query (at the new length) attends. */
  readonly live: number[][];
}

/** LTE's training-time mask (no budget): query i sees key j ≤ i when i − j ≤ w, c_j > 0 or j < sinks. */
export function lteMaskKeeps(logits: readonly number[], i: number, j: number, window: number, sinks: number) {
  return j <= i && (i - j <= window || logits[j]! > 0 || j < sinks);
}

/** The simulated LTE cache of one attention layer. */
export class LteCacheSimulation {
  readonly #history: Token[][];
  readonly #retained: Token[][];

  constructor(
    private readonly heads: number,
    private readonly kvHeads: number,
    private readonly options: { readonly window: number; readonly budget: number; readonly sinks: number },
  ) {
    this.#history = Array.from({ length: kvHeads }, () => []);
    this.#retained = Array.from({ length: kvHeads }, () => []);
  }

  /** Router logits per KV head so far. */
  logits(kvHead: number): number[] {
    return this.#history[kvHead]!.map((token) => token.logit);
  }

  /** The retained buffer of KV head g once the token leaving the window before query i is handled. */
  #admitted(g: number, i: number): Token[] {
    const { window, budget, sinks } = this.options;
    const retained = this.#retained[g]!.slice();
    const leaving = i - window - 1;
    if (leaving < sinks || !(this.#history[g]![leaving]!.logit > 0)) return retained;
    retained.push(this.#history[g]![leaving]!);
    if (retained.length > budget) {
      let lowest = 0;
      for (let n = 1; n < retained.length; n++) {
        const [a, b] = [retained[n]!, retained[lowest]!];
        if (a.logit < b.logit || (a.logit === b.logit && a.position < b.position)) lowest = n;
      }
      retained.splice(lowest, 1);
    }
    return retained;
  }

  /** The tokens query i sees on KV head g (ascending) with that retained buffer. */
  #visible(g: number, i: number, retainedTokens: readonly Token[]): Token[] {
    const { window, sinks } = this.options;
    const retained = new Set(retainedTokens.map((token) => token.position));
    return this.#history[g]!.filter(
      (token) =>
        token.position <= i &&
        (token.position < sinks || i - token.position <= window || retained.has(token.position)),
    );
  }

  /** Runs one step of `seq` rows at the next positions. */
  step(rows: LteStepRows): LteSimulatedResult {
    const seq = rows.key[0]!.length;
    const past = this.#history[0]!.length;
    for (let g = 0; g < this.kvHeads; g++)
      for (let i = 0; i < seq; i++)
        this.#history[g]!.push({
          position: past + i,
          logit: rows.logits[g]![i]!,
          key: rows.key[g]![i]!,
          value: rows.value[g]![i]!,
        });
    const valueDim = rows.value[0]![0]!.length;
    const output = new Float64Array(this.heads * seq * valueDim);
    for (let i = 0; i < seq; i++) {
      for (let g = 0; g < this.kvHeads; g++) this.#retained[g] = this.#admitted(g, past + i);
      for (let h = 0; h < this.heads; h++) {
        const query = rows.query[h]![i]!;
        const g = Math.floor((h * this.kvHeads) / this.heads);
        const visible = this.#visible(g, past + i, this.#retained[g]!);
        const logits = visible.map((token) => dot(query, token.key) / Math.sqrt(query.length));
        const top = Math.max(...logits);
        const weights = logits.map((logit) => Math.exp(logit - top));
        const total = weights.reduce((a, b) => a + b, 0);
        visible.forEach((token, n) => {
          for (let c = 0; c < valueDim; c++)
            output[(h * seq + i) * valueDim + c]! += (weights[n]! / total) * token.value[c]!;
        });
      }
    }
    // What the next query sees, its own token aside (the buffer itself moves on at that query).
    const length = past + seq;
    const live = Array.from({ length: this.kvHeads }, (_, g) =>
      this.#visible(g, length, this.#admitted(g, length)).map((token) => token.position),
    );
    return { output, live };
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let total = 0;
  for (let i = 0; i < a.length; i++) total += a[i]! * b[i]!;
  return total;
}
