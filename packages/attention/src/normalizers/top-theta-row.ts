import type { ThresholdCompensation } from './top-theta.js';

/**
 * Weights of one row under Top-θ, in float64, one per visible key. p_j = exp(s_j − m)/Z with m the
 * max of the visible scores; a key counts when s_j ≥ θ. `none`: Z = Σ_kept exp; `denominator`: Z =
 * Σ_visible exp; `valueMean`: full Z, plus (1 − Σ_kept p_j)/N on every visible key, which adds the
 * missing mass times the mean value row v̄.
 */
export function topThetaRow(
  scores: readonly number[],
  threshold: number,
  compensation: ThresholdCompensation,
): number[] {
  const count = scores.length;
  if (count === 0) return [];
  const max = Math.max(...scores);
  const exps = scores.map((s) => Math.exp(s - max));
  const keptExps = exps.map((e, j) => (scores[j]! >= threshold ? e : 0));
  const all = exps.reduce((sum, e) => sum + e, 0);
  const kept = keptExps.reduce((sum, e) => sum + e, 0);
  if (compensation === 'none') return keptExps.map((e) => (kept > 0 ? e / kept : 0));
  if (compensation === 'denominator') return keptExps.map((e) => e / all);
  const missing = (1 - kept / all) / count;
  return keptExps.map((e) => e / all + missing);
}
