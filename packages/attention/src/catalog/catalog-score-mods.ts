import { tensorRef } from '@weft/ir';
import { scoreMod } from '../spec/score-mods.js';

/** BAM's prior (catalog #41): −exp(σ_h)·(|(k − q) − μ_h| + 1e-5)^β_h, per-head parameters. */
export function bamPrior(heads: number) {
  const logScale = tensorRef('bam.logScale', [heads]);
  const shape = tensorRef('bam.shape', [heads]);
  const location = tensorRef('bam.location', [heads]);
  return scoreMod((score, { h, q, k }) => {
    const offset = k.sub(q).cast('f32').sub(location.at(h)).apply('abs').add(1e-5);
    return score.sub(
      logScale
        .at(h)
        .apply('exp')
        .mul(offset.pow(shape.at(h))),
    );
  }, 'bamPrior');
}

/** Comateformer's affinity (catalog #23) on the scaled score s = q·k/√d: tanh(α·s)·σ(−β·‖q − k‖₁). */
export function comateformerScore(alpha: number, beta: number) {
  return scoreMod(
    (score, { l1Distance }) => score.mul(alpha).apply('tanh').mul(l1Distance.mul(-beta).apply('sigmoid')),
    `comateformer(α=${alpha}, β=${beta})`,
  );
}
