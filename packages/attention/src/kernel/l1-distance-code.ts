import type { AttentionAttrs } from '../op/attention-attrs.js';
import { readsL1Distance } from '../spec/attention-variables.js';

/** WGSL of the per-pair L1 distance `l1_distance` = Σ_d |q_d − k_d|, for score mods that read it. */
export interface L1DistanceCode {
  /** Declares `l1_distance` next to `raw` (nothing when the score does not read it). */
  readonly declare: readonly string[];
  /** Adds |query − key| of one dim to `l1_distance`, beside the dot product's `raw +=` (or nothing). */
  accumulate(query: string, key: string): string[];
}

/**
 * The L1 distance of a (query, key) pair, accumulated in the dot product's loop over d so each key
 * element is read once. It is scalar ALU work (subtract, abs, add): WGSL has no matrix or `dot`
 * path for it. Scores that do not read `l1Distance` get no code at all.
 */
export function l1DistanceCode(attrs: AttentionAttrs): L1DistanceCode {
  if (!readsL1Distance(attrs.score)) return { declare: [], accumulate: () => [] };
  return {
    declare: ['var l1_distance = 0.0;'],
    accumulate: (query, key) => [`l1_distance += abs(${query} - ${key});`],
  };
}
