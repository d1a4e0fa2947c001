import { attention as attentionKernels } from '@weft/attention/kernels';
import { interpret, WeftError } from '@weft/ir';
import { compile, type Program, type WeftDevice } from '@weft/runtime';
import { buildAttentionCase } from './attention-cases.js';
import { attentionRecipe } from './attention-recipe.js';
import { cpuF32Error, F32_RULE_FACTOR } from './f32-rule.js';
import type { BuiltCase, CaseRecipe, DeviceCaseKind } from './fuzz-case.js';
import { buildModelCase, modelRecipe } from './model-cases.js';
import { buildNormCase, normRecipe } from './norm-cases.js';
import { Prng } from './prng.js';

export { F32_RULE_FACTOR };

/** How a device case ended. */
export type Outcome =
  | 'ok'
  /** The device result is further from the float64 reference than the family's budget (or has a NaN the reference lacks). */
  | 'mismatch'
  /** WebGPU refused a generated shader (a `gpu-validation` error or a pipeline error). */
  | 'invalid-wgsl'
  /** Something other than a `WeftError` was thrown (a bug: users should only ever see typed errors). */
  | 'untyped-error'
  /** A `WeftError` refused the combination (fine: counted separately). */
  | 'rejected';

/** The result of one device case. */
export interface CaseResult {
  readonly recipe: CaseRecipe;
  readonly outcome: Outcome;
  /** Worst normwise relative error over the outputs (Infinity: a NaN/Inf where the reference is finite). */
  readonly error?: number;
  /** Where it failed: building the graph, compiling, running, or the reference. */
  readonly stage?: 'build' | 'compile' | 'run' | 'reference';
  /** The error's class, code and message (rejections, untyped errors, invalid WGSL). */
  readonly message?: string;
  /**
   * Set when the device error exceeds the family's fixed budget: the error of the same graph
   * evaluated in f32 on the CPU against float64 (the worst of a few rounding samples, see
   * {@link cpuF32Error}). The case still passes when the device error is at most
   * {@link F32_RULE_FACTOR} times it (FlagAttention's rule: the kernel is then as accurate as the
   * formula allows in f32).
   */
  readonly cpuF32Error?: number;
  readonly milliseconds: number;
}

/** Draws the recipe of case `seed`: attention most of the time, norm layers and tiny models too. */
export function deviceRecipe(seed: number, only?: DeviceCaseKind): CaseRecipe {
  const kind =
    only ??
    new Prng(seed ^ 0x1b873593).weighted<DeviceCaseKind>([
      [14, 'attention'],
      [3, 'norm'],
      [2, 'model'],
    ]);
  return kind === 'attention'
    ? attentionRecipe(seed)
    : kind === 'norm'
      ? normRecipe(seed)
      : modelRecipe(seed);
}

export function buildCase(recipe: CaseRecipe): BuiltCase {
  return recipe.kind === 'attention'
    ? buildAttentionCase(recipe)
    : recipe.kind === 'norm'
      ? buildNormCase(recipe)
      : buildModelCase(recipe);
}

/**
 * Normwise relative error `max|a − e| / max|e|` (finite reference values only); Infinity when the
 * device gives a non-finite value where the reference is finite, or a NaN where it has none.
 */
export function normwiseError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let difference = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e)) {
      if (!Number.isNaN(a)) return Number.POSITIVE_INFINITY;
      continue;
    }
    if (!Number.isFinite(e)) {
      if (a !== e) return Number.POSITIVE_INFINITY;
      continue;
    }
    if (!Number.isFinite(a)) return Number.POSITIVE_INFINITY;
    difference = Math.max(difference, Math.abs(a - e));
    scale = Math.max(scale, Math.abs(e));
  }
  return difference === 0 ? 0 : difference / Math.max(scale, 1e-30);
}

function describe(error: unknown): string {
  if (WeftError.isInstance(error)) return `${error.name}[${error.code}]: ${error.message}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `thrown ${typeof error}: ${String(error)}`;
}

function isShaderError(error: unknown): boolean {
  if (WeftError.isInstance(error)) return error.code === 'gpu-validation';
  return error instanceof Error && (error.name === 'GPUPipelineError' || /WGSL|shader/i.test(error.message));
}

function classify(
  recipe: CaseRecipe,
  stage: NonNullable<CaseResult['stage']>,
  error: unknown,
  start: number,
): CaseResult {
  const outcome: Outcome = isShaderError(error)
    ? 'invalid-wgsl'
    : WeftError.isInstance(error)
      ? 'rejected'
      : 'untyped-error';
  return { recipe, outcome, stage, message: describe(error), milliseconds: performance.now() - start };
}

/**
 * Builds, compiles and runs one case on `device` (outputs poisoned with NaN before the run) and
 * compares every output against the float64 reference interpreter.
 */
export async function runDeviceCase(recipe: CaseRecipe, device: WeftDevice): Promise<CaseResult> {
  const start = performance.now();
  let built: BuiltCase;
  try {
    built = buildCase(recipe);
  } catch (error) {
    return classify(recipe, 'build', error, start);
  }
  const data = (record: BuiltCase['inputs']) =>
    Object.fromEntries(
      Object.entries(record).map(([name, tensor]) => [name, Float32Array.from(tensor.data)]),
    );
  const intData = (record: BuiltCase['inputs']) =>
    Object.fromEntries(
      Object.entries(record).map(([name, tensor]) => [
        name,
        tensor.dtype === 'i32' ? Int32Array.from(tensor.data) : Float32Array.from(tensor.data),
      ]),
    );
  let program: Program;
  try {
    program = await compile(built.graph, {
      device,
      params: data(built.params),
      extensions: [attentionKernels],
    });
  } catch (error) {
    return classify(recipe, 'compile', error, start);
  }
  let actual: Awaited<ReturnType<Program['run']>>;
  try {
    actual = await program.run(intData(built.inputs), { dims: built.dims, poisonOutputs: true });
  } catch (error) {
    program.destroy();
    return classify(recipe, 'run', error, start);
  }
  program.destroy();
  let expected: ReturnType<typeof interpret>;
  try {
    expected = interpret(built.graph, { inputs: built.inputs, params: built.params, dims: built.dims });
  } catch (error) {
    return classify(recipe, 'reference', error, start);
  }
  const worst = worstError(actual, expected);
  if (worst <= recipe.budget)
    return { recipe, outcome: 'ok', error: worst, milliseconds: performance.now() - start };
  // Over the fixed budget: judge by the f32 rule, against the same formula evaluated in f32.
  let cpuError: number;
  try {
    cpuError = cpuF32Error(built, expected, recipe.seed, worstError);
  } catch (error) {
    return classify(recipe, 'reference', error, start);
  }
  return {
    recipe,
    outcome: worst <= F32_RULE_FACTOR * cpuError ? 'ok' : 'mismatch',
    error: worst,
    cpuF32Error: cpuError,
    milliseconds: performance.now() - start,
  };
}

/** The worst normwise relative error of `actual`'s outputs against `expected`'s (NaN counts as Infinity). */
export function worstError(
  actual: Readonly<Record<string, { readonly data: ArrayLike<number> }>>,
  expected: Readonly<Record<string, { readonly data: ArrayLike<number> }>>,
): number {
  let worst = 0;
  for (const [name, reference] of Object.entries(expected)) {
    const result = actual[name];
    const error =
      result === undefined ? Number.POSITIVE_INFINITY : normwiseError(result.data, reference.data);
    worst = Math.max(worst, Number.isNaN(error) ? Number.POSITIVE_INFINITY : error);
  }
  return worst;
}
