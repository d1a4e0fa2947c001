import {
  broadcastTo,
  constant,
  input,
  interpret,
  makeGraph,
  mapElements,
  reshape,
  select,
  variable,
} from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import { sparseKThreshold as denseThreshold } from '../test/dense-sparsek.js';
import { runKernels } from '../test/run-kernels.js';
import { seededInRange } from './catalog/seeded-values.js';
import { sparseKThreshold } from './op/sparsek-threshold-op.js';

/**
 * f32 bisection vs the exact float64 threshold, compared through the SparseK weights
 * clip(u_j − τ_i, 0, 1) (τ itself is not unique where the mass is flat): the f32 bracket ends one
 * ulp wide and each mass sums up to 150 clipped terms in f32.
 */
const TOLERANCE = 1e-5;

describe('sparseKThreshold on the device', () => {
  it('one kernel gives every causal prefix the threshold of the float64 formula', async () => {
    const { device } = await getTestDevice();
    const [rows, n, k] = [3, 150, 12];
    const u = seededInRange(rows * n, 23, -4, 4);
    const scores = input('u', [1, rows, n]);
    const tau = sparseKThreshold(scores, k);
    // The weights of every (prefix i, key j ≤ i): the thresholds read back by a graph op.
    const i = variable('i2', 'i32');
    const j = variable('i3', 'i32');
    const square = [1, rows, n, n];
    const weights = mapElements(
      [
        broadcastTo(reshape(scores, [1, rows, 1, n]), square),
        broadcastTo(reshape(tau, [1, rows, n, 1]), square),
      ],
      select(j.le(i), variable('$0', 'f32').sub(variable('$1', 'f32')).max(0).min(1), constant(0)),
    );
    const graph = makeGraph({ tau, weights });
    const { outputs, kernels } = await runKernels(device, graph, { u }, {});
    const dense = new Float64Array(rows * n * n);
    for (let row = 0; row < rows; row++)
      for (let q = 0; q < n; q++) {
        const z = Array.from(u.subarray(row * n, row * n + q + 1));
        const threshold = q + 1 <= k ? Math.min(...z) - 1 : denseThreshold(z, k);
        z.forEach((value, key) => {
          dense[(row * n + q) * n + key] = Math.min(1, Math.max(0, value - threshold));
        });
      }
    const reference = interpret(graph, { inputs: { u } });
    const errors = {
      deviceVersusDense: relativeError(outputs.weights!, dense),
      referenceVersusDense: relativeError(reference.weights!.data, dense),
      thresholdDeviceVersusReference: relativeError(outputs.tau!, reference.tau!.data),
    };
    console.log('sparseKThreshold', { kernels, ...errors });
    expect(errors.deviceVersusDense).toBeLessThan(TOLERANCE);
    expect(errors.referenceVersusDense).toBeLessThan(1e-12);
    expect(errors.thresholdDeviceVersusReference).toBeLessThan(TOLERANCE);
  }, 300_000);
});
