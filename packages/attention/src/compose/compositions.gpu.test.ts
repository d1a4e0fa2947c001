import { describe, expect, it } from 'vitest';
import { checkCatalogInstance, worst } from '../../test/check-catalog-entry.js';
import {
  denseDualAttention,
  densePayBetterAttention,
  denseSkimAttention,
} from '../../test/dense-attention-variants.js';
import {
  denseLamaPooling,
  denseLayerStackAttention,
  denseLayerwiseShortcuts,
  denseSequenceFeedForward,
} from '../../test/dense-block-compositions.js';
import { denseHeadEmbeddings, denseMixtureOfHeads } from '../../test/dense-head-structure.js';
import { denseLinformer } from '../../test/dense-linformer.js';
import { denseNystromformer } from '../../test/dense-nystromformer.js';
import { denseSetTransformer } from '../../test/dense-set-transformer.js';
import {
  dualAttentionCatalogEntry,
  payBetterAttentionCatalogEntry,
  skimAttentionCatalogEntry,
} from '../catalog/attention-variant-entries.js';
import {
  lamaPoolingCatalogEntry,
  layerStackAttentionCatalogEntry,
  layerwiseShortcutsCatalogEntry,
  sequenceFeedForwardCatalogEntry,
} from '../catalog/block-composition-entries.js';
import { headEmbeddingsCatalogEntry, mixtureOfHeadsCatalogEntry } from '../catalog/head-structure-entries.js';
import { linformerCatalogEntry } from '../catalog/linformer-entry.js';
import { nystromformerCatalogEntry } from '../catalog/nystromformer-entry.js';
import { setTransformerCatalogEntry } from '../catalog/set-transformer-entry.js';

/** Float64 reference interpreter vs the loops written from the paper: rounding only. */
const FLOAT64_TOLERANCE = 1e-10;

describe('compositions of IR ops and fused attention on the device', () => {
  it('Linformer (catalog #50): f32 vs float64 within 1e-5; E K, F V and one attention kernel', async () => {
    const check = await checkCatalogInstance(linformerCatalogEntry.build(), (values) => ({
      output: denseLinformer(values, { heads: 4, length: 32, dim: 16, projected: 8 }),
    }));
    console.log('linformer', check);
    expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
    expect(worst(check.deviceVersusDense)).toBeLessThan(1e-5);
    expect(check.kernels).toBeLessThanOrEqual(3);
  });

  it('Nyströmformer (catalog #57): f32 vs float64 within 1e-5; four matmuls per pseudo-inverse step', async () => {
    const check = await checkCatalogInstance(nystromformerCatalogEntry.build(), (values) =>
      denseNystromformer(values, { heads: 2, length: 32, dim: 16, landmarks: 8, iterations: 6 }),
    );
    console.log('nystromformer', check);
    expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
    // Measured 6e-7 (output) and 1.5e-6 (Z): the six steps of the iteration amplify f32 rounding a little.
    expect(worst(check.deviceVersusDense)).toBeLessThan(1e-5);
    // Measured 36: 4 matmuls × 6 steps, 2 attention kernels, landmarks, A, Z₀ and Z·(B̃V).
    expect(check.kernels).toBeLessThanOrEqual(4 * 6 + 12);
  });

  it('Set Transformer (catalog #55): SAB, ISAB, PMA f32 vs float64 within 1e-5; one kernel per attention', async () => {
    const check = await checkCatalogInstance(setTransformerCatalogEntry.build(), (values) =>
      denseSetTransformer(values, { batch: 2, set: 12, width: 16, heads: 4 }),
    );
    console.log('set-transformer', check);
    expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
    expect(worst(check.deviceVersusDense)).toBeLessThan(1e-5);
    // Measured 37 for the four MABs: about 9 each (projections, attention, W^O, two LayerNorms, rFF).
    expect(check.kernels).toBeLessThanOrEqual(4 * 10);
  });

  it('MAE head gating (catalog #52) and MHE-ADD/MUL (catalog #73): f32 vs float64 within 1e-5', async () => {
    const mixture = await checkCatalogInstance(mixtureOfHeadsCatalogEntry.build(), (values) =>
      denseMixtureOfHeads(values, { batch: 2, rows: 12, width: 16, heads: 4 }),
    );
    const embeddings = await checkCatalogInstance(headEmbeddingsCatalogEntry.build(), (values) =>
      denseHeadEmbeddings(values, { batch: 2, rows: 12, width: 16, heads: 4, headDim: 8 }),
    );
    console.log('mixture-of-heads', mixture, 'multi-head-embeddings', embeddings);
    for (const check of [mixture, embeddings]) {
      expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
      expect(worst(check.deviceVersusDense)).toBeLessThan(1e-5);
    }
    expect(mixture.kernels).toBeLessThanOrEqual(12);
    // Measured 10 (MAE: projections, attention, gate MLP and softmax, W^O) and 12 (two MHE blocks).
    expect(embeddings.kernels).toBeLessThanOrEqual(2 * 6);
  });

  it('the FFN in place of attention (catalog #32) and layerwise shortcuts (catalog #37): f32 vs float64 within 1e-5', async () => {
    const feedForward = await checkCatalogInstance(sequenceFeedForwardCatalogEntry.build(), (values) => ({
      output: denseSequenceFeedForward(values, 2),
    }));
    const shortcuts = await checkCatalogInstance(layerwiseShortcutsCatalogEntry.build(), (values) => ({
      output: denseLayerwiseShortcuts(values, { batch: 2, rows: 12, width: 16, heads: 4, taps: 2 }),
    }));
    console.log('attention-free-ffn', feedForward, 'layerwise-shortcuts', shortcuts);
    for (const check of [feedForward, shortcuts]) {
      expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
      expect(worst(check.deviceVersusDense)).toBeLessThan(1e-5);
    }
    expect(feedForward.kernels).toBeLessThanOrEqual(2);
    expect(shortcuts.kernels).toBeLessThanOrEqual(10);
  });

  it('LAMA pooling (catalog #58), paper and port forms: f32 vs float64 within 1e-5', async () => {
    const sizes = { batch: 2, rows: 12, width: 16, heads: 4 };
    const check = await checkCatalogInstance(lamaPoolingCatalogEntry.build(), (values) => ({
      paper: denseLamaPooling(values, 'lama', { ...sizes, normalize: true }),
      port: denseLamaPooling(values, 'lamaPort', { ...sizes, normalize: false }),
    }));
    console.log('lama-pooling', check);
    expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
    expect(worst(check.deviceVersusDense)).toBeLessThan(1e-5);
    // Measured 10 for the two pooling blocks: s_k, queries, key norms, one attention each.
    expect(check.kernels).toBeLessThanOrEqual(12);
  });

  it('Optimised/Efficient/Super attention (catalog #13) and Skim-Attention (catalog #62): f32 vs float64 within 1e-5', async () => {
    const variants = await checkCatalogInstance(
      payBetterAttentionCatalogEntry.build(),
      densePayBetterAttention,
    );
    const skim = await checkCatalogInstance(skimAttentionCatalogEntry.build(), denseSkimAttention);
    console.log('pay-better-attention', variants, 'skim-attention', skim);
    for (const check of [variants, skim]) {
      expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
      expect(worst(check.deviceVersusDense)).toBeLessThan(1e-5);
    }
    expect(variants.kernels).toBeLessThanOrEqual(4 * 5);
    expect(skim.kernels).toBeLessThanOrEqual(12);
  });

  it('Dual attention (catalog #36): relational heads by the fusion identity, f32 vs float64 within 1e-5', async () => {
    const check = await checkCatalogInstance(dualAttentionCatalogEntry.build(), (values) => ({
      output: denseDualAttention(values),
    }));
    console.log('dual-attention', check);
    expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
    expect(worst(check.deviceVersusDense)).toBeLessThan(1e-5);
    expect(check.kernels).toBeLessThanOrEqual(14);
  });

  it('AILA layered attention (catalog #98, architecture 2): attention along depth, f32 vs float64 within 1e-5', async () => {
    const check = await checkCatalogInstance(layerStackAttentionCatalogEntry.build(), (values) => ({
      output: denseLayerStackAttention(values, { batch: 2, rows: 12, width: 16, depth: 3 }),
    }));
    console.log('layer-stack-attention', check);
    expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
    expect(worst(check.deviceVersusDense)).toBeLessThan(1e-5);
    // Measured 10: W_k and W_v of each earlier layer, W_q, the stacking copies and the attention.
    expect(check.kernels).toBeLessThanOrEqual(12);
  });
});
