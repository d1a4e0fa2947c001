// A mask defined outside Weft's packages: causal attention inside windows of `window` positions
// (query p sees keys k ≤ p with ⌊k/window⌋ = ⌊p/window⌋), with its block rule, so the fused kernel
// skips the key tiles of other windows and evaluates no predicate on tiles inside one.
import { customMask, type Mask } from '@weft/attention';

/** Causal attention within aligned windows of `window` positions (queries and keys aligned top-left). */
export function windowedCausal(window: number): Mask {
  return customMask(({ q, k }) => k.le(q).and(k.div(window).eq(q.div(window))), {
    description: `windowedCausal(${window})`,
    // Bounds are inclusive. Empty: every key after every query, or in another window than all of
    // the block's queries. Full: every key at or before every query, all in one window.
    blockRule: ({ queryStart, queryEnd, keyStart, keyEnd }) => ({
      empty: keyStart
        .gt(queryEnd)
        .or(keyEnd.div(window).lt(queryStart.div(window)))
        .or(keyStart.div(window).gt(queryEnd.div(window))),
      full: keyEnd.le(queryStart).and(keyStart.div(window).eq(queryEnd.div(window))),
    }),
  });
}
