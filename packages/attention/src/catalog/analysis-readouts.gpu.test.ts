import { describe, expect, it } from 'vitest';
import { checkCatalogInstance, worst } from '../../test/check-catalog-entry.js';
import {
  denseAttentionRollout,
  denseAttentionSorting,
  denseDeceptionPenalty,
  denseMassiveValues,
} from '../../test/dense-analysis-readouts.js';
import {
  ATTENTION_SORTING_SEGMENTS,
  attentionRolloutCatalogEntry,
  attentionSortingCatalogEntry,
  DECEPTION_PENALTY_WEIGHT,
  deceptionPenaltyCatalogEntry,
  massiveValuesCatalogEntry,
} from './analysis-readout-entries.js';

/** f32 kernels vs float64: sums of ≤ 24 probabilities or squares of values in ±1; ~1e-7 measured. */
const TOLERANCE = 1e-5;
/** Both float64: only the order of the sums differs. */
const FLOAT64_TOLERANCE = 1e-12;

describe('analysis readouts on the device', () => {
  it('Attention Sorting (#45): document scores = Σ_{t∈D} mean_{l,h} A_{last,t}, from the kernels’ segment mass', async () => {
    const check = await checkCatalogInstance(attentionSortingCatalogEntry.build(), (values) =>
      denseAttentionSorting(values, {
        heads: 4,
        length: 24,
        headDim: 16,
        layers: 2,
        segmentStarts: ATTENTION_SORTING_SEGMENTS,
      }),
    );
    console.log('attention-sorting-scores', check);
    expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
    expect(worst(check.deviceVersusReference)).toBeLessThan(TOLERANCE);
    expect(worst(check.deviceVersusDense)).toBeLessThan(TOLERANCE);
    // One attention kernel per layer (the segment mass in its online pass, no second key pass), a
    // head sum of each layer's last row, and the layers' mean.
    expect(check.kernels).toBe(4);
  }, 120_000);

  it('massive values (#92): per-dimension L2 norms of Q and K over the tokens, before and after RoPE', async () => {
    const check = await checkCatalogInstance(massiveValuesCatalogEntry.build(), (values) =>
      denseMassiveValues(values, { heads: 4, length: 24, headDim: 16 }),
    );
    console.log('massive-values-qk-norms', check);
    expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
    expect(worst(check.deviceVersusReference)).toBeLessThan(TOLERANCE);
    expect(worst(check.deviceVersusDense)).toBeLessThan(TOLERANCE);
    // One reduction kernel per output (the rotation fuses into the rotated norms' kernels).
    expect(check.kernels).toBe(4);
  }, 120_000);

  it('attention rollout (#38): R = Ã⁽²⁾Ã⁽¹⁾ from the kernels’ full maps, Ã = ½·mean_h A + ½·I', async () => {
    const check = await checkCatalogInstance(attentionRolloutCatalogEntry.build(), (values) =>
      denseAttentionRollout(values, { heads: 4, length: 24, headDim: 16, layers: 2 }),
    );
    console.log('attention-rollout', check);
    expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
    expect(worst(check.deviceVersusReference)).toBeLessThan(TOLERANCE);
    expect(worst(check.deviceVersusDense)).toBeLessThan(TOLERANCE);
  }, 120_000);

  it('deceptive attention (#116): the [CLS] row’s mass on the impermissible keys and R = −(λ/|H|)Σ_h log(1 − a_hᵀm)', async () => {
    const check = await checkCatalogInstance(deceptionPenaltyCatalogEntry.build(), (values) =>
      denseDeceptionPenalty(values, { heads: 4, length: 24, headDim: 16, weight: DECEPTION_PENALTY_WEIGHT }),
    );
    console.log('deceptive-attention-penalty', check);
    expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
    expect(worst(check.deviceVersusReference)).toBeLessThan(TOLERANCE);
    expect(worst(check.deviceVersusDense)).toBeLessThan(TOLERANCE);
  }, 120_000);
});
