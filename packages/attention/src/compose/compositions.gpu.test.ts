import { describe, expect, it } from 'vitest';
import { checkCatalogInstance, worst } from '../../test/check-catalog-entry.js';
import { denseLinformer } from '../../test/dense-linformer.js';
import { denseNystromformer } from '../../test/dense-nystromformer.js';
import { linformerCatalogEntry } from '../catalog/linformer-entry.js';
import { nystromformerCatalogEntry } from '../catalog/nystromformer-entry.js';

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
});
