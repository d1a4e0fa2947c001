import { describe, expect, it } from 'vitest';
import { checkCatalogInstance, worst } from '../../test/check-catalog-entry.js';
import { pLaplacianAdapterCatalogEntry } from './p-laplacian-adapter-entry.js';

/** f32 kernels (attention, two matmuls with the GELU and the residual) vs float64. */
const TOLERANCE = 1e-5;
/** Both float64. */
const FLOAT64_TOLERANCE = 1e-12;

const HEADS = 4;
const LENGTH = 24;
const DIM = 16;
const WIDTH = HEADS * DIM;
const BOTTLENECK = 8;

describe('p-Adapter (catalog #64) on the device', () => {
  it('matches the float64 reference and a dense p-Laplacian attention + bottleneck adapter', async () => {
    const instance = pLaplacianAdapterCatalogEntry.build();
    const check = await checkCatalogInstance(instance, (values) => ({
      output: denseAdapter(values.q!, values.k!, values.v!, values['adapter.down']!, values['adapter.up']!),
    }));
    console.log('p-laplacian-adapter', check);
    expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
    expect(worst(check.deviceVersusReference)).toBeLessThan(TOLERANCE);
    expect(worst(check.deviceVersusDense)).toBeLessThan(TOLERANCE);
  });
});

/** o_i of the p-Laplacian attention (p = 1.5, μ = 0.5, x = q), heads merged, then y = o + W_up·GELU(W_down·o). */
function denseAdapter(
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  down: ArrayLike<number>,
  up: ArrayLike<number>,
): Float64Array {
  const p = 1.5;
  const mu = 0.5;
  const at = (data: ArrayLike<number>, h: number, i: number, d: number) => data[(h * LENGTH + i) * DIM + d]!;
  const merged = new Float64Array(LENGTH * WIDTH);
  for (let h = 0; h < HEADS; h++)
    for (let i = 0; i < LENGTH; i++) {
      const scores = Array.from({ length: LENGTH }, (_, j) => {
        let dot = 0;
        for (let d = 0; d < DIM; d++) dot += at(q, h, i, d) * at(k, h, j, d);
        return dot / Math.sqrt(DIM);
      });
      const max = Math.max(...scores);
      const exps = scores.map((s) => Math.exp(s - max));
      const total = exps.reduce((sum, e) => sum + e, 0);
      const m = exps.map((e, j) => {
        let squared = 0;
        for (let d = 0; d < DIM; d++) squared += (at(q, h, i, d) - at(v, h, j, d)) ** 2;
        return (e / total) * (squared + 1e-6) ** ((p - 2) / 2);
      });
      const alpha = 1 / (m.reduce((sum, x) => sum + x, 0) + (2 * mu) / p);
      for (let d = 0; d < DIM; d++) {
        let o = ((2 * mu) / p) * alpha * at(q, h, i, d);
        for (let j = 0; j < LENGTH; j++) o += alpha * m[j]! * at(v, h, j, d);
        merged[i * WIDTH + h * DIM + d] = o;
      }
    }
  const output = Float64Array.from(merged);
  for (let i = 0; i < LENGTH; i++) {
    const hidden = Array.from({ length: BOTTLENECK }, (_, r) => {
      let sum = 0;
      for (let c = 0; c < WIDTH; c++) sum += merged[i * WIDTH + c]! * down[c * BOTTLENECK + r]!;
      return 0.5 * sum * (1 + erfSeries(sum / Math.SQRT2));
    });
    for (let c = 0; c < WIDTH; c++)
      for (let r = 0; r < BOTTLENECK; r++) output[i * WIDTH + c]! += hidden[r]! * up[r * WIDTH + c]!;
  }
  return output;
}

/** erf by its Maclaurin series, to float64 rounding for |x| ≤ 3 (the adapter's range here). */
function erfSeries(x: number): number {
  expect(Math.abs(x)).toBeLessThan(3);
  let term = x;
  let sum = x;
  for (let n = 1; n < 80; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
