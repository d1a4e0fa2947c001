import { SpecError } from '@weft/ir';
import { createSeededRandom } from './seeded-random.js';

/** How one parameter is initialized. */
export type ParameterInitKind = 'normal' | 'ones' | 'zeros';

/** A parameter to initialize: its name, shape and rule. */
export interface ParameterToInitialize {
  /** The parameter's name, e.g. `layers.0.attn.wq`; it also seeds the parameter's own stream. */
  readonly name: string;
  /** The parameter's shape, row-major. */
  readonly shape: readonly number[];
  /**
   * `normal`: samples of N(0, 1/fanIn) (weights); `ones`: all 1 (norm gains); `zeros`: all 0
   * (biases).
   */
  readonly init: ParameterInitKind;
  /**
   * Inputs feeding each output, for `normal`. Default: the second-to-last extent for shapes of
   * rank 2 or more (weights are stored `[in, out]`), the only extent for rank 1.
   */
  readonly fanIn?: number;
}

/** Options of {@link initializeParameters}. */
export interface InitializeParametersOptions {
  /** The seed; equal seeds give equal parameters on every platform. */
  readonly seed: number;
}

/**
 * Initializes parameters reproducibly: `normal` parameters are standard normal samples (Box-Muller
 * over a seeded xoshiro128** stream) scaled by `1/sqrt(fanIn)`, so a matmul with them keeps its
 * input's variance; `ones` suit norm gains and `zeros` biases. Each parameter draws from its own
 * stream seeded by `(seed, name)`, so its values do not depend on the order of the list or on
 * which other parameters it holds.
 *
 * @throws SpecError on a duplicate name, a shape that is not a list of non-negative integers, or
 * a `fanIn` that is not a positive integer.
 *
 * @example
 * ```ts
 * const params = initializeParameters(
 *   [
 *     { name: 'mlp.up', shape: [64, 256], init: 'normal' },
 *     { name: 'norm.gamma', shape: [64], init: 'ones' },
 *   ],
 *   { seed: 1 },
 * );
 * ```
 */
export function initializeParameters(
  parameters: readonly ParameterToInitialize[],
  options: InitializeParametersOptions,
): Map<string, Float32Array> {
  const result = new Map<string, Float32Array>();
  for (const parameter of parameters) {
    if (result.has(parameter.name)) {
      throw new SpecError('initializeParameters: duplicate parameter name', { tensor: parameter.name });
    }
    result.set(parameter.name, initializeOne(parameter, options.seed));
  }
  return result;
}

function initializeOne(parameter: ParameterToInitialize, seed: number): Float32Array {
  const { name, shape, init } = parameter;
  if (!shape.every((extent) => Number.isSafeInteger(extent) && extent >= 0)) {
    throw new SpecError('initializeParameters: shape must be a list of non-negative integers', {
      tensor: name,
      actual: shape,
    });
  }
  const data = new Float32Array(shape.reduce((total, extent) => total * extent, 1));
  if (init === 'ones') return data.fill(1);
  if (init === 'zeros') return data;
  const fanIn = parameter.fanIn ?? defaultFanIn(shape);
  if (!Number.isSafeInteger(fanIn) || fanIn <= 0) {
    throw new SpecError('initializeParameters: fanIn must be a positive integer', {
      tensor: name,
      expected: 'a positive integer',
      actual: fanIn,
    });
  }
  const scale = 1 / Math.sqrt(fanIn);
  const random = createSeededRandom(`${seed >>> 0}:${name}`);
  for (let i = 0; i < data.length; i++) data[i] = random.nextNormal() * scale;
  return data;
}

function defaultFanIn(shape: readonly number[]): number {
  return shape.length >= 2 ? shape[shape.length - 2]! : (shape[0] ?? 1);
}
