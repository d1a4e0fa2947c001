import { interpret } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { checkCatalogInstance, worst } from '../../test/check-catalog-entry.js';
import { denseMultiToken } from '../../test/dense-multi-token.js';
import { denseOptionsOf, MULTI_TOKEN_CASES } from '../../test/multi-token-cases.js';
import { multiTokenParameterNames } from '../apply-multi-token.js';
import { MULTI_TOKEN_CATALOG_OPTIONS, multiTokenInstance } from './multi-token-attention-entry.js';

/**
 * f32 kernels vs float64: logits of size ≤ ~3 convolved by ≤ 15 taps of size ≤ 1.3, rows of ≤ 12
 * keys, head mixes of size ≤ 1.5 and an RMS division; the f32 dot products and the exp leave ~1e-6.
 */
const TOLERANCE = 2e-5;
/** Both float64: the op's row-at-a-time loops vs the dense map differ in summation order only. */
const FLOAT64_TOLERANCE = 1e-12;

describe('Multi-Token Attention (catalog #43) on the device', () => {
  for (const options of [MULTI_TOKEN_CATALOG_OPTIONS, ...MULTI_TOKEN_CASES]) {
    // Post-softmax mixing needs every head's normalized row: a statistics kernel, then the output.
    const kernels = options.headMixing !== undefined && options.headMixing.placement !== 'preSoftmax' ? 2 : 1;
    it(`${options.name}: ${kernels} kernel(s), matches the float64 reference and the dense formula`, async () => {
      const instance = multiTokenInstance(options);
      const check = await checkCatalogInstance(instance, (values) => ({
        output: denseMultiToken(values, multiTokenParameterNames(options.name), denseOptionsOf(options)),
      }));
      expect(worst(check.referenceVersusDense)).toBeLessThan(FLOAT64_TOLERANCE);
      expect(worst(check.deviceVersusReference)).toBeLessThan(TOLERANCE);
      expect(worst(check.deviceVersusDense)).toBeLessThan(TOLERANCE);
      expect(check.kernels).toBe(kernels);
      // The error budget's rule: within 2× of the same formula evaluated in f32 (floor 1.2e-7).
      const run = (precision: 'f32' | 'f64') =>
        interpret(instance.graph, { inputs: instance.inputs, params: instance.params, precision }).output!
          .data;
      const f32 = relativeError(run('f32'), run('f64'));
      console.log(options.name, { ...check, cpuF32VersusFloat64: f32 });
      expect(f32).toBeGreaterThan(0);
      expect(worst(check.deviceVersusReference)).toBeLessThanOrEqual(2 * Math.max(f32, 1.2e-7));
    }, 180_000);
  }
});
