import { relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { describe, expect, it } from 'vitest';
import { denseNalaVision } from '../../test/dense-nala-vision.js';
import { freshInputs } from '../../test/fresh-inputs.js';
import { runKernels } from '../../test/run-kernels.js';
import { LINEAR_MAPS_CATALOG, NALA_VISION_SHAPE } from '../linear/linear-maps-catalog.js';
import { linearAttentionExtension } from '../linear-kernels.js';

/**
 * f32 kernels vs float64: pow of normalized coordinates, sums of 36 positions over 32 features and
 * 32 channels, a reciprocal denominator, a 5×5 conv and a LayerNorm over 32 channels.
 */
const TOLERANCE = 1e-5;

describe("NaLaFormer's vision block (#16) on the device", () => {
  it.each([
    ['the catalog instance', undefined],
    ['fresh random inputs', Date.now() % 2_147_483_647],
  ] as const)(
    '%s matches the reference forward written as loops',
    async (label, seed) => {
      const built = LINEAR_MAPS_CATALOG.find(
        (entry) => entry.mechanism === 'nalaformer-vision-block',
      )!.build();
      // Fresh image only: the RoPE tables stay the block's.
      const instance =
        seed === undefined
          ? built
          : { ...built, inputs: { ...built.inputs, x: freshInputs(built, seed).instance.inputs.x! } };
      const { device } = await getTestDevice();
      const values = { ...instance.inputs, ...instance.params };
      const { outputs, kernels } = await runKernels(
        device,
        instance.graph,
        values,
        {},
        {
          extensions: [linearAttentionExtension],
        },
      );
      const error = relativeError(outputs.output!, denseNalaVision(values, NALA_VISION_SHAPE));
      console.log('nala vision block', label, seed ?? '', error, `${kernels} kernels`);
      expect(error).toBeLessThan(TOLERANCE);
    },
    120_000,
  );
});
