import {
  ATTENTION_OP,
  and,
  applyAttention,
  attention,
  causal,
  decodeAttention,
  rope,
  slidingWindow,
} from '@weft/attention';
import { graphNodes, input, makeGraph } from '@weft/ir';
import { NORM_CATALOG } from '@weft/norms';
import type { ZooEntry, ZooInstance } from '../zoo-entry.js';

/**
 * The input classes of the error budget:
 * - `normal`: the entry's own seeded instance.
 * - `offset`: the same instance with 300 added to the tensors whose offset stresses f32 — the
 *   normalized input of a normalization layer (`x`, `h`, `q`, `update`: mean and variance of
 *   values near 300), and the keys of an attention mechanism (`k`, or `q` where the keys are the
 *   queries): every score of query row i shifts by 300·Σ_d q_id·scale, which leaves a softmax
 *   unchanged but makes its logits large, so f32 rounds them coarsely.
 * - `long`: RoPE at positions near 8k (only entries with RoPE whose shapes can grow).
 */
export const BUDGET_INPUT_CLASSES = ['normal', 'offset', 'long'] as const;
/** One input class of the error budget (see {@link BUDGET_INPUT_CLASSES}). */
export type BudgetInputClass = (typeof BUDGET_INPUT_CLASSES)[number];

/** The offset added in the `offset` class. */
export const BUDGET_OFFSET = 300;

/**
 * Families of the error budget's table: `norm` (the normalization layers of `@weft/norms`),
 * `softmax` (attention normalized by softmax, with or without sinks, no RoPE), `normalizer`
 * (attention with another normalizer, or none), `rope` (attention with rotary positions).
 */
export type BudgetFamily = 'norm' | 'softmax' | 'normalizer' | 'rope';

/** The family of a zoo entry, from its graph: norms by their package, attention by its normalizer and positions. */
export function budgetFamily(entry: ZooEntry, instance: ZooInstance = entry.build()): BudgetFamily {
  if (NORM_CATALOG.some((source) => source.mechanism === entry.mechanism)) return 'norm';
  const nodes = graphNodes(instance.graph).filter((node) => node.op === ATTENTION_OP);
  const specs = nodes.map((node) => decodeAttention(node.attrs));
  if (specs.some((spec) => spec.rope !== null)) return 'rope';
  if (specs.length > 0 && specs.every((spec) => spec.normalizer.name === 'softmax')) return 'softmax';
  return 'normalizer';
}

/** An instance of an entry for one input class, or why the class does not apply. */
export type BudgetInstance =
  | {
      /** The graph and its values for the class. */
      readonly instance: ZooInstance;
      /** What the class changed, for the table (`k + 300`). */
      readonly note: string;
    }
  | {
      /** Why the class does not apply. */
      readonly skipped: string;
    };

/** Names of the inputs the `offset` class shifts, in order of preference per family. */
const NORM_OFFSET_INPUTS = ['x', 'h', 'q', 'update'];

/** Builds the entry's instance for `inputClass`, or says why that class does not apply to it. */
export function budgetInstance(entry: ZooEntry, inputClass: BudgetInputClass): BudgetInstance {
  const instance = entry.build();
  const family = budgetFamily(entry, instance);
  if (inputClass === 'normal') return { instance, note: 'seeded inputs' };
  if (inputClass === 'offset') {
    const names =
      family === 'norm'
        ? NORM_OFFSET_INPUTS.filter((name) => name in instance.inputs)
        : ['k', 'q', 'x'].filter((name) => name in instance.inputs).slice(0, 1);
    if (names.length === 0) return { skipped: 'no k, q or x input to shift' };
    const inputs = { ...instance.inputs };
    for (const name of names) {
      inputs[name] = Float32Array.from(instance.inputs[name]!, (value) => value + BUDGET_OFFSET);
    }
    return { instance: { ...instance, inputs }, note: `${names.join(', ')} + ${BUDGET_OFFSET}` };
  }
  if (family !== 'rope') return { skipped: 'no positions' };
  const long = LONG_POSITION_INSTANCES[entry.id];
  if (long === undefined) {
    return {
      skipped:
        'positions are the cells of a fixed 4×6 image grid (at most 5 per axis); positions near 8k would need an 8k-wide image',
    };
  }
  return long(instance);
}

/** Queries of the long-position instances: the last queries of an 8k-token context. */
export const LONG_QUERIES = 24;
/** Keys of the long-position instances: the queries rotate at positions `LONG_KEYS − LONG_QUERIES` onwards. */
export const LONG_KEYS = 8192;

/**
 * Long-position builders by entry id. `rnope-swa`: the catalog's spec (4 query heads over 2 KV
 * heads, dim 16, RoPE, causal sliding window of 8) for the last 24 queries of 8192 keys, so the
 * queries rotate at positions 8168–8191 and the keys they see at 8161–8191; the queries are the
 * entry's own, the keys and values seeded the same way.
 */
const LONG_POSITION_INSTANCES: Readonly<Record<string, (normal: ZooInstance) => BudgetInstance>> = {
  'rnope-swa': (normal) => {
    const spec = attention({
      name: 'rnope-swa',
      heads: 4,
      kvHeads: 2,
      headDim: 16,
      positions: rope(),
      mask: and(causal(), slidingWindow(8)),
    });
    const query = input('q', [1, 4, LONG_QUERIES, 16]);
    const key = input('k', [1, 2, LONG_KEYS, 16]);
    const value = input('v', [1, 2, LONG_KEYS, 16]);
    const { output } = applyAttention(spec, { query, key, value });
    return {
      instance: {
        graph: makeGraph({ output }),
        inputs: {
          q: normal.inputs.q!,
          k: seededUnit(2 * LONG_KEYS * 16, 2),
          v: seededUnit(2 * LONG_KEYS * 16, 3),
        },
        params: {},
        dims: {},
      },
      note: `${LONG_QUERIES} queries at positions ${LONG_KEYS - LONG_QUERIES}–${LONG_KEYS - 1}`,
    };
  },
};

/** Seeded values in ±[0.1, 1] (never zero), as the catalog seeds its instances. */
function seededUnit(count: number, seed: number): Float32Array {
  let state = (seed * 2654435761) % 2147483648;
  return Float32Array.from({ length: count }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    const unit = state / 2147483648;
    return (unit < 0.5 ? -1 : 1) * (0.1 + 0.9 * ((unit * 2) % 1));
  });
}
