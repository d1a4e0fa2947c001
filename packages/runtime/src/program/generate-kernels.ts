import {
  type FusionCostOverrides,
  type Graph,
  type KernelPlan,
  type PipelineResult,
  runPipeline,
} from '@weft/ir';
import {
  type DeviceProfile,
  fusionCostModelOf,
  type GeneratedKernel,
  generateProgram,
  type KernelExtension,
} from '@weft/wgsl';

/** Options of {@link generateGraphKernels}. */
export interface GenerateGraphKernelsOptions {
  /** Fuse operations into shared kernels (default), as `compile`'s `fuse`. */
  readonly fuse?: boolean;
  /** Extensions whose templates render their ops' kernels, as `compile`'s `extensions`. */
  readonly extensions?: readonly KernelExtension[];
  /** Measured costs of the adapter, as `compile`'s `fusionCosts`. */
  readonly fusionCosts?: FusionCostOverrides;
}

/** What {@link generateGraphKernels} produces: the pipeline's result and the WGSL of each kernel. */
export interface GraphKernels extends PipelineResult {
  /** One generated kernel per kernel of the plan, in dispatch order. */
  readonly kernels: readonly GeneratedKernel[];
}

/**
 * The WGSL of every kernel of a plan for a device profile, with the options `compile` uses: source
 * tensors (inputs, parameters, constants) live in a buffer no kernel writes and bind `read`; the
 * arena's tensors bind `read_write`, since WebGPU forbids binding a buffer read-only while a dispatch
 * writes to it (see `BufferLayout`). Pure: no device needed. `extensions` render the kernels of
 * extension ops (`attention` from `@weft/attention/kernels`).
 */
export function generateKernels(
  plan: KernelPlan,
  profile: DeviceProfile,
  extensions: readonly KernelExtension[] = [],
): GeneratedKernel[] {
  return generateProgram(plan, profile, { inputAccess: 'arena', extensions });
}

/**
 * What `compile` would generate for `graph` on a device with `profile`, without a device: the IR
 * pipeline (simplification, fusion priced by the profile's cost model, memory planning at the
 * profile's offset alignment), then
 * {@link generateKernels}. Used by tools that inspect or compare kernels (`pnpm replay`).
 *
 * @example
 * ```ts
 * import { DEFAULT_DEVICE_PROFILE } from '@weft/wgsl';
 *
 * const graph = makeGraph({ y: reduce('sum', elementwiseUnary('exp', input('x', [4, 8])), 1) });
 * const { kernels } = generateGraphKernels(graph, DEFAULT_DEVICE_PROFILE);
 * console.log(kernels[0]!.wgsl);
 * ```
 */
export function generateGraphKernels(
  graph: Graph,
  profile: DeviceProfile,
  options: GenerateGraphKernelsOptions = {},
): GraphKernels {
  const result = runPipeline(graph, {
    fuse: options.fuse ?? true,
    alignment: profile.limits.minStorageBufferOffsetAlignment,
    ...(profile.halfStorage === true ? { halfStorage: true } : {}),
    fusionCosts: fusionCostModelOf(profile, options.fusionCosts),
  });
  return { ...result, kernels: generateKernels(result.plan, profile, options.extensions) };
}
