import { interpret } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { expectMatchesReference, getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import { NORM_CATALOG } from './norm-catalog.js';
import { referenceGaam } from './test-support/reference-gaam.js';

/**
 * f32 kernel vs float64 (normwise). Outputs are x · w with w ≤ 1 over chunks of 24; the exponent
 * log w − logsumexp reaches about −20 with |c| ≥ 0.59, so f32 rounding of it leaves ~2e-6 relative.
 */
const TOLERANCE = 1e-5;
/** Both float64: log space vs the reference's linear space differ by rounding only. */
const FLOAT64_TOLERANCE = 1e-12;

describe('GAAM (catalog #69) on the device', () => {
  it('matches the float64 reference and the linear-space formula of the reference code', async () => {
    const entry = NORM_CATALOG.find((candidate) => candidate.mechanism === 'GAAM')!;
    const sample = entry.build();
    const { worstRelativeError, program } = await expectMatchesReference(
      sample.graph,
      await getTestDevice(),
      {
        inputs: sample.inputs,
        params: sample.params,
        rtol: TOLERANCE,
        atol: TOLERANCE,
        label: 'GAAM',
      },
    );
    const kernels = program.plan.kernels.length;
    const device = await program.run(sample.inputs, { poisonOutputs: true });
    program.destroy();
    const x = sample.inputs.x!;
    const dense = referenceGaam(
      x,
      [4, 37, 96],
      -1,
      4,
      sample.params['gaam.meanOffsets']!,
      sample.params['gaam.scales']!,
      1e-8,
    );
    const reference = interpret(sample.graph, { inputs: sample.inputs, params: sample.params });
    const referenceVersusDense = relativeError(reference.y!.data, dense);
    const deviceVersusDense = relativeError(Float64Array.from(device.y!.data), dense);
    console.log('GAAM', {
      deviceVersusReference: worstRelativeError,
      referenceVersusDense,
      deviceVersusDense,
      kernels,
    });
    expect(referenceVersusDense).toBeLessThan(FLOAT64_TOLERANCE);
    expect(worstRelativeError).toBeLessThan(TOLERANCE);
    expect(deviceVersusDense).toBeLessThan(TOLERANCE);
    expect(kernels).toBe(1);
  });
});
