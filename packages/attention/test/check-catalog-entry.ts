import { interpret } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { getTestDevice } from '@weft/runtime/test';
import type { AttentionCatalogInstance } from '../src/catalog/attention-catalog.js';
import { runKernels } from './run-kernels.js';

/** What {@link checkCatalogInstance} measured, normwise relative errors per output. */
export interface CatalogCheck {
  /** Device (f32 kernels) vs the float64 reference interpreter. */
  readonly deviceVersusReference: Readonly<Record<string, number>>;
  /** Float64 reference interpreter vs the hand-written dense float64 formula. */
  readonly referenceVersusDense: Readonly<Record<string, number>>;
  /** Device vs the hand-written dense float64 formula. */
  readonly deviceVersusDense: Readonly<Record<string, number>>;
  /** Kernels the compiled program dispatches. */
  readonly kernels: number;
}

/**
 * Runs a catalog instance on the test device (NaN-poisoned outputs) and compares it with the float64
 * reference interpreter and with `dense`, an independent float64 implementation of the paper's
 * formula over the same inputs and parameters.
 */
export async function checkCatalogInstance(
  instance: AttentionCatalogInstance,
  dense: (values: Readonly<Record<string, ArrayLike<number>>>) => Readonly<Record<string, ArrayLike<number>>>,
): Promise<CatalogCheck> {
  const { device } = await getTestDevice();
  const values = { ...instance.inputs, ...instance.params };
  const { outputs, kernels } = await runKernels(device, instance.graph, values, instance.dims);
  const reference = interpret(instance.graph, {
    inputs: instance.inputs,
    params: instance.params,
    dims: instance.dims,
  });
  const expected = dense(values);
  const deviceVersusReference: Record<string, number> = {};
  const referenceVersusDense: Record<string, number> = {};
  const deviceVersusDense: Record<string, number> = {};
  for (const [name, formula] of Object.entries(expected)) {
    const actual = outputs[name]!;
    const interpreted = reference[name]!.data;
    deviceVersusReference[name] = relativeError(actual, interpreted);
    referenceVersusDense[name] = relativeError(interpreted, formula);
    deviceVersusDense[name] = relativeError(actual, formula);
  }
  return { deviceVersusReference, referenceVersusDense, deviceVersusDense, kernels };
}

/** The largest value of a record of errors (NaN propagates, so a NaN output fails any bound). */
export function worst(errors: Readonly<Record<string, number>>): number {
  return Object.values(errors).reduce(
    (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : Math.max(a, b)),
    0,
  );
}
