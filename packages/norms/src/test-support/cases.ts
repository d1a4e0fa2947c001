import { type Graph, interpret, type Tensor64 } from '@weft/ir';
import { type RandomTensorOptions, randomTensor, relativeError, seededRandom } from '@weft/ir/test';
import { expect } from 'vitest';

/** Reference interpreter vs float64 JS: both compute in float64, so only rounding-order differences remain. */
export const FLOAT64_TOLERANCE = { rtol: 1e-10, atol: 1e-12 } as const;

/**
 * Seeded `[rows, length]` row shapes: always a row of length 1 and odd lengths, plus random ones
 * (rows 1–5, lengths 1–130).
 */
export function rowShapes(seed: number, count = 4): number[][] {
  const random = seededRandom(seed);
  const shapes = [
    [3, 1],
    [2, 17],
    [1, 127],
  ];
  for (let k = 0; k < count; k++) shapes.push([1 + Math.floor(random() * 5), 1 + Math.floor(random() * 130)]);
  return shapes;
}

/** A seeded random tensor's values (never near zero). */
export function values(
  shape: readonly number[],
  seed: number,
  options: Omit<RandomTensorOptions, 'seed'> = {},
): Float64Array {
  return randomTensor(shape, { ...options, seed }).data as Float64Array;
}

/** Runs `graph` through the reference interpreter and returns output `name`. */
export function run(
  graph: Graph,
  inputs: Readonly<Record<string, ArrayLike<number>>>,
  params: Readonly<Record<string, ArrayLike<number>>> = {},
  name = 'y',
): Tensor64 {
  return interpret(graph, { inputs, params })[name]!;
}

/** Worst normwise relative error seen per layer, for the summary printed after a file. */
export const worstErrors = new Map<string, number>();

/**
 * Asserts `actual` matches `expected` elementwise within `tolerance` and records the normwise
 * relative error under `layer`.
 */
export function expectMatches(
  layer: string,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: { rtol: number; atol: number } = FLOAT64_TOLERANCE,
): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const bound = tolerance.atol + tolerance.rtol * Math.abs(expected[i]!);
    if (!(Math.abs(actual[i]! - expected[i]!) <= bound)) {
      throw new Error(
        `${layer}: element ${i} is ${actual[i]}, expected ${expected[i]} (tolerance ${bound.toExponential(2)})`,
      );
    }
  }
  worstErrors.set(layer, Math.max(worstErrors.get(layer) ?? 0, relativeError(actual, expected)));
}

/** Prints the worst relative error per layer (the numbers the package's report quotes). */
export function printWorstErrors(title: string): void {
  const lines = [...worstErrors].map(([layer, error]) => `  ${layer.padEnd(36)} ${error.toExponential(2)}`);
  console.log(`${title}\n${lines.join('\n')}`);
}
