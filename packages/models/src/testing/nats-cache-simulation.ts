/**
 * Host-side float64 simulation of NAtS attention over a growing sequence, written from the rule
 * (Deng & Lindauer 2025, catalog #11) and independent of the graph: per KV head the whole history
 * (position, type, key, value) is kept, every query attends causally to the keys the rule keeps —
 * Global always, Local while no Global token lies strictly between it and the query, SlidingWindow
 * while i − j ≤ w — and after each step the positions the next query can still see are reported.
 */

/** NAtS token types, as the argmax of (Global, Local, SlidingWindow) logits. */
export type NatsTokenType = 0 | 1 | 2;

interface Token {
  readonly position: number;
  readonly type: NatsTokenType;
  readonly key: Float64Array;
  readonly value: Float64Array;
}

/** A step's rows: `query[h][i]`, `key[g][i]`, `value[g][i]`, `typeLogits[g][i]` (3 each). */
export interface NatsStepRows {
  readonly query: readonly (readonly Float64Array[])[];
  readonly key: readonly (readonly Float64Array[])[];
  readonly value: readonly (readonly Float64Array[])[];
  readonly typeLogits: readonly (readonly Float64Array[])[];
}

/** What the simulation reports after a step. */
export interface NatsSimulatedResult {
  /** Attention output `[H][seq][dv]`, flattened in that order. */
  readonly output: Float64Array;
  /** Per KV head, ascending: the positions the next query (at the new length) can still attend. */
  readonly live: number[][];
}

/** Whether query position i keeps key j of `history` (the NAtS rule over the full history). */
export function natsKeeps(
  history: readonly { type: NatsTokenType }[],
  i: number,
  j: number,
  window: number,
): boolean {
  if (j > i) return false;
  const type = history[j]!.type;
  if (type === 0) return true;
  if (type === 2) return i - j <= window;
  for (let g = j + 1; g < i; g++) if (history[g]!.type === 0) return false;
  return true;
}

/** The simulated NAtS attention of one layer. */
export class NatsCacheSimulation {
  readonly #history: Token[][];

  constructor(
    private readonly heads: number,
    private readonly kvHeads: number,
    private readonly window: number,
  ) {
    this.#history = Array.from({ length: kvHeads }, () => []);
  }

  /** Runs one step of `seq` rows at the next positions. */
  step(rows: NatsStepRows): NatsSimulatedResult {
    const seq = rows.key[0]!.length;
    const past = this.#history[0]!.length;
    for (let g = 0; g < this.kvHeads; g++)
      for (let i = 0; i < seq; i++) {
        const logits = rows.typeLogits[g]![i]!;
        let type = 0;
        for (let c = 1; c < 3; c++) if (logits[c]! > logits[type]!) type = c;
        this.#history[g]!.push({
          position: past + i,
          type: type as NatsTokenType,
          key: rows.key[g]![i]!,
          value: rows.value[g]![i]!,
        });
      }
    const valueDim = rows.value[0]![0]!.length;
    const output = new Float64Array(this.heads * seq * valueDim);
    for (let h = 0; h < this.heads; h++) {
      const history = this.#history[Math.floor((h * this.kvHeads) / this.heads)]!;
      for (let i = 0; i < seq; i++) {
        const query = rows.query[h]![i]!;
        const visible = history.filter((token) => natsKeeps(history, past + i, token.position, this.window));
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
    const length = past + seq;
    const live = this.#history.map((history) =>
      history
        .filter((token) => natsKeeps(history, length, token.position, this.window))
        .map((token) => token.position),
    );
    return { output, live };
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let total = 0;
  for (let i = 0; i < a.length; i++) total += a[i]! * b[i]!;
  return total;
}
