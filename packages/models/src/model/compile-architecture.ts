import { attention } from '@weft/attention/kernels';
import { linearAttentionExtension } from '@weft/attention/linear-kernels';
import { type Graph, InputError } from '@weft/ir';
import { compile, type Program } from '@weft/runtime';
import type { ArchitectureSpec, ArchitectureSpecInput } from '../spec/kinds/architecture-spec.js';
import { parseArchitectureSpec } from '../spec/kinds/architecture-spec.js';
import type { WeightTensor } from '../weights/fuse-projections.js';
import { parametersFromWeights } from '../weights/model-weights.js';
import type { LoadedTensor } from '../weights/safetensors.js';
import { buildArchitectureGraph } from './architecture-graph.js';
import type { CompileModelOptions } from './compile-model.js';
import { type ModelPrecision, precisionOptions, resolveModelDevice } from './model-device.js';
import { graphParameters, randomParameters } from './model-parameters.js';

/** Options of {@link compileArchitecture}. */
export interface CompileArchitectureOptions {
  /** A device, `'cpu'` (float64 reference interpreter) or `'auto'` (WebGPU when an adapter exists, else the CPU). */
  readonly device: CompileModelOptions['device'];
  /** Weights by Weft name (e.g. from `readSafetensors`); seeded random parameters when absent. */
  readonly weights?: ReadonlyMap<string, LoadedTensor | WeightTensor>;
  /** Seed of the random parameters. Default 0. */
  readonly seed?: number;
  /** Samples per run. Default 1. */
  readonly batch?: number;
  /** Fuse kernels (default) or run one kernel per op. */
  readonly fuse?: boolean;
  /** `compile`'s `precision` (see `CompileModelOptions.precision`). */
  readonly precision?: ModelPrecision;
  /** `compile`'s `halfStorage` (see `CompileModelOptions.halfStorage`). */
  readonly halfStorage?: boolean;
  /** Why `device` is the CPU, when the caller resolved `'auto'` itself (see `resolveModelDevice`). */
  readonly fallbackReason?: string;
}

/** A compiled architecture spec: its forward program with the graph and parameters it was built from. */
export interface CompiledArchitecture {
  /** The validated spec. */
  readonly spec: ArchitectureSpec;
  /** The forward graph (see `buildArchitectureGraph`). */
  readonly graph: Graph;
  /** The forward program; its inputs and outputs are the graph's. */
  readonly program: Program;
  /** The parameter values, by Weft name. */
  readonly parameters: Readonly<Record<string, Float32Array>>;
}

/**
 * Compiles the forward program of an architecture spec (`encoder`, `vit`, `dit`,
 * `encoder-decoder`) with seeded random parameters or the given weights; the attention blocks
 * compile with the attention kernels.
 *
 * @throws SpecError with the JSON path for an invalid spec; the weight loader's errors for
 * missing or misshapen weights; InputError for a batch that is not a positive integer.
 *
 * @example
 * ```ts fragment
 * const { program } = await compileArchitecture(spec, { device: 'auto', seed: 1 });
 * const { logits } = await program.run({ pixels });
 * program.destroy();
 * ```
 */
export async function compileArchitecture(
  spec: ArchitectureSpec | ArchitectureSpecInput,
  options: CompileArchitectureOptions,
): Promise<CompiledArchitecture> {
  const validated = parseArchitectureSpec(spec);
  const batch = options.batch ?? 1;
  if (!(Number.isSafeInteger(batch) && batch >= 1)) {
    throw new InputError('compileArchitecture: batch must be a positive integer', {
      expected: 'a positive integer',
      actual: batch,
    });
  }
  const graph = buildArchitectureGraph(validated, { batch });
  const parameters =
    options.weights === undefined
      ? randomParameters(graph, options.seed ?? 0)
      : parametersFromWeights(options.weights, graphParameters(graph));
  const resolved = await resolveModelDevice(options.device);
  const { device } = resolved;
  const fallbackReason = resolved.fallbackReason ?? options.fallbackReason;
  const program = await compile(graph, {
    device,
    params: parameters,
    extensions: [attention, linearAttentionExtension],
    ...(options.fuse === undefined ? {} : { fuse: options.fuse }),
    ...precisionOptions(options),
    ...(fallbackReason === undefined ? {} : { fallbackReason }),
  });
  return { spec: validated, graph, program, parameters };
}
