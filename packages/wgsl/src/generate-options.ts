import { isSourceTensor, type Node } from '@weft/ir';
import type { KernelExtension } from './kernel-extension.js';

/** Code-generation choices that are not device facts. */
export interface GenerateOptions {
  /**
   * Cooperative row reductions (one workgroup per row) combine each statistic with a subgroup
   * reduce, then one step over the subgroups' partials in workgroup memory, when the profile has
   * `subgroups` (default `true`; `false`: a tree in workgroup memory). The subgroup size is taken
   * from the device at run time, never assumed.
   */
  readonly subgroupReductions?: boolean;
  /**
   * Access mode declared for input bindings (default `read`). Inputs are only ever read; the mode
   * tells WebGPU how the buffer behind each binding is used in the dispatch:
   * - `read`: every input in a buffer of its own, or in buffers the dispatch never writes;
   * - `read_write`: inputs and outputs are ranges of one buffer (an arena). WebGPU rejects a
   *   dispatch that binds one buffer both writable and read-only (the usage-scope rule), while
   *   several writable bindings of it are allowed;
   * - `arena`: `@weft/runtime`'s layout. Source tensors ({@link isSourceTensor}: graph inputs,
   *   parameters, constants) are in a buffer that kernels only read, so they bind `read`; every
   *   other input (an intermediate) is a range of the arena that the same dispatch writes its
   *   outputs to, so it binds `read_write`; packed inputs are copied into a side buffer of their
   *   own, so the packed binding is `read`.
   */
  readonly inputAccess?: InputAccess;
  /**
   * `generateProgram` renders kernels that differ only in their tensors' names (the layers of a
   * decoder) once and renames the text for the others (default `true`); the WGSL is the same
   * either way. `false` renders every kernel on its own (to measure what sharing saves).
   */
  readonly shareKernels?: boolean;
  /**
   * Extensions whose templates render the `opaque` kernels of their ops (for example `attention`
   * from `@weft/attention/kernels`). Built-in templates are used first.
   */
  readonly extensions?: readonly KernelExtension[];
  /**
   * The tensors held in f16 storage (see `halfStoredTensors` in `@weft/ir`): bound as `array<f16>`
   * at precision `f16`, as `u32` words of two f16 values at `f16-emulated`. `generateProgram` fills
   * it from the plan when the profile has `halfStorage`; empty by default.
   */
  readonly halfStored?: ReadonlySet<Node>;
}

/** See {@link GenerateOptions.inputAccess}. */
export type InputAccess = 'read' | 'read_write' | 'arena';

/** The access mode of input `node`'s own binding under `inputAccess`. */
export function inputBindingAccess(node: Node, inputAccess: InputAccess): 'read' | 'read_write' {
  if (inputAccess === 'arena') return isSourceTensor(node) ? 'read' : 'read_write';
  return inputAccess;
}

/** The access mode of the binding of packed inputs under `inputAccess`. */
export function packedBindingAccess(inputAccess: InputAccess): 'read' | 'read_write' {
  return inputAccess === 'arena' ? 'read' : inputAccess;
}
