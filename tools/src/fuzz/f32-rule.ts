import { interpret, type Tensor64, tensor64 } from '@weft/ir';
import type { BuiltCase } from './fuzz-case.js';
import { Prng } from './prng.js';

/** A device result may be this many times further from float64 than the CPU's f32 evaluations. */
export const F32_RULE_FACTOR = 2;

/** f32 evaluations on perturbed inputs, besides the one on the inputs as given. */
export const F32_RULE_PERTURBATIONS = 4;

const UNIT_ROUNDOFF = 2 ** -24;

/**
 * The error the formula shows when evaluated in f32 on the CPU (`interpret(…, { precision: 'f32' })`),
 * against the float64 reference `expected`: the worst over one evaluation on the inputs as given and
 * {@link F32_RULE_PERTURBATIONS} on inputs and parameters each moved by one unit roundoff (a random
 * sign per element, seeded by `seed`).
 *
 * One f32 evaluation is one sample of rounding: on an ill-conditioned row (a score that is a sum
 * cancelling to 1e-4 of its terms, then squared) it can land 4× closer than another, equally valid
 * summation order. A backward-stable f32 kernel returns the exact result for inputs within a few
 * unit roundoffs of the given ones, so its error is of the size these samples show.
 */
export function cpuF32Error(
  built: BuiltCase,
  expected: Readonly<Record<string, { readonly data: ArrayLike<number> }>>,
  seed: number,
  measure: (
    actual: Readonly<Record<string, { readonly data: ArrayLike<number> }>>,
    expected: Readonly<Record<string, { readonly data: ArrayLike<number> }>>,
  ) => number,
): number {
  const evaluate = (inputs: Record<string, Tensor64>, params: Record<string, Tensor64>) =>
    measure(interpret(built.graph, { inputs, params, dims: built.dims, precision: 'f32' }), expected);
  let worst = evaluate(built.inputs, built.params);
  const prng = new Prng(seed ^ 0x5bd1e995);
  for (let sample = 0; sample < F32_RULE_PERTURBATIONS; sample++)
    worst = Math.max(worst, evaluate(perturb(built.inputs, prng), perturb(built.params, prng)));
  return worst;
}

/** Moves every f32 element by one unit roundoff up or down (integer tensors stay as they are). */
function perturb(tensors: Record<string, Tensor64>, prng: Prng): Record<string, Tensor64> {
  return Object.fromEntries(
    Object.entries(tensors).map(([name, tensor]) => [
      name,
      tensor.dtype === 'i32'
        ? tensor
        : tensor64(
            tensor.shape,
            Array.from(
              tensor.data,
              (value) => value * (1 + (prng.chance(0.5) ? UNIT_ROUNDOFF : -UNIT_ROUNDOFF)),
            ),
            tensor.dtype,
          ),
    ]),
  );
}
