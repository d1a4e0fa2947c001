import { input, makeGraph } from '@weft/ir';
import { expectMatchesReference, getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import { groupNorm, instanceNorm, layerNorm, NORM_CATALOG, rmsNorm } from './index.js';
import { values } from './test-support/cases.js';
import { EXPECTED_KERNELS } from './test-support/expected-kernels.js';

/**
 * f32 kernels vs the float64 reference. Outputs are O(1) (normalized values times O(1) parameters);
 * rows are ≤ 144 terms long, so f32 accumulation error stays near 1e-6 absolute: rtol 1e-5 with an
 * absolute floor of 2e-6 for outputs that cross zero.
 */
const TOLERANCE = { rtol: 1e-5, atol: 2e-6 } as const;
/**
 * SPADE's γ and β come from 3×3 convolutions over the hidden channels: sums of 9·hidden (over a
 * thousand) products, whose f32 rounding (~1e-7 relative per term) leaves ~5e-6 absolute error on
 * outputs that cross zero.
 */
const TOLERANCE_BY_MECHANISM: Readonly<Record<string, { rtol: number; atol: number }>> = {
  SPADE: { rtol: 1e-5, atol: 1e-5 },
};

const worst = new Map<string, { error: number; kernels: number }>();
afterAll(() => {
  const lines = [...worst].map(
    ([layer, { error, kernels }]) => `  ${layer.padEnd(36)} ${error.toExponential(2)}  ${kernels} kernel(s)`,
  );
  console.log(`norms on the device vs float64 (normwise relative error, fused kernels)\n${lines.join('\n')}`);
});

describe('normalization layers on a WebGPU device', () => {
  it.each(NORM_CATALOG.map((entry) => [entry.mechanism, entry] as const))(
    '%s matches the float64 reference',
    async (mechanism, entry) => {
      const weft = await getTestDevice();
      const sample = entry.build();
      const { worstRelativeError, program } = await expectMatchesReference(sample.graph, weft, {
        inputs: sample.inputs,
        params: sample.params,
        ...(TOLERANCE_BY_MECHANISM[mechanism] ?? TOLERANCE),
        label: mechanism,
      });
      const kernels = program.plan.kernels.length;
      program.destroy();
      worst.set(mechanism, { error: worstRelativeError, kernels });
      expect(kernels).toBeLessThanOrEqual(EXPECTED_KERNELS[mechanism]!.current);
    },
  );

  it.each([
    ['LayerNorm', (rows: number, length: number) => layerNorm(input('x', [rows, length]), { affine: false })],
    ['RMSNorm', (rows: number, length: number) => rmsNorm(input('x', [rows, length]), { gain: false })],
  ] as const)('%s over rows of length 1, odd lengths and values around 1e4', async (layer, build) => {
    const weft = await getTestDevice();
    for (const [rows, length] of [
      [3, 1],
      [2, 17],
      [5, 127],
      [2, 1031],
    ] as const) {
      const x = values([rows, length], rows * 7 + length).map((v) => 1e4 + v);
      const graph = makeGraph({ y: build(rows, length) });
      // Around 1e4 one f32 ulp is ~1e-3, so x − μ carries an absolute error of ~1e-3 relative to σ ≈ 0.5:
      // the normalized output can be exact only to about 2e-3; one-pass E[x²] − μ² would give garbage (~1).
      const tolerance = layer === 'LayerNorm' ? { rtol: 4e-3, atol: 4e-3 } : TOLERANCE;
      const { program } = await expectMatchesReference(graph, weft, {
        inputs: { x },
        ...tolerance,
        label: `${layer} 1e4 [${rows}, ${length}]`,
      });
      expect(program.plan.kernels.length).toBe(1);
      program.destroy();
    }
  });

  it('GroupNorm and InstanceNorm of constant rows give exactly β (no NaN)', async () => {
    const weft = await getTestDevice();
    const x = new Float32Array(2 * 4 * 9).fill(2.5);
    const graph = makeGraph({
      group: groupNorm(input('x', [2, 4, 9]), { groups: 2, name: 'gn' }),
      instance: instanceNorm(input('x', [2, 4, 9])),
    });
    const params = { 'gn.gamma': values([4], 1), 'gn.beta': values([4], 2) };
    const { program } = await expectMatchesReference(graph, weft, {
      inputs: { x },
      params,
      rtol: 0,
      atol: 1e-6,
      label: 'constant rows',
    });
    program.destroy();
  });
});
