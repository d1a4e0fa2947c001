import type { Tensor64 } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import { expect } from 'vitest';
import { type AttentionCase, graphOf } from './attention-case.js';
import { runKernels } from './run-kernels.js';

/** Runs the graph of `testCase` once on the test device, outputs NaN-poisoned before the run. */
export async function runCase(
  testCase: AttentionCase,
): Promise<{ outputs: Record<string, Float32Array>; kernels: number; wgsl: string[] }> {
  const { device } = await getTestDevice();
  const inputs = Object.fromEntries(Object.entries(testCase.inputs).map(([name, t]) => [name, t.data]));
  return runKernels(device, graphOf(testCase), inputs, testCase.dims);
}

/**
 * Asserts that `actual` holds no NaN (every poisoned element was written) and lies within
 * `tolerance` of `reference` (normwise relative error), and records the error under `label`.
 */
export function expectWithin(
  errors: Record<string, number>,
  label: string,
  actual: Float32Array,
  reference: Tensor64 | ArrayLike<number>,
  tolerance: number,
): void {
  expect(Array.from(actual).some(Number.isNaN), `${label} has NaN`).toBe(false);
  const error = relativeError(actual, reference);
  errors[label] = error;
  expect(error, label).toBeLessThan(tolerance);
}
