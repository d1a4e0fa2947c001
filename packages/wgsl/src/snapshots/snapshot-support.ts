// Shared by the WGSL snapshot tests: a graph through the IR pipeline and code generation, as the
// runtime's `compile` runs them (fusion on, every arena binding read_write), on two device profiles.
import { type KernelTemplate, makeGraph, type Node, runPipeline } from '@weft/ir';
import { generateProgram } from '../generate-kernel.js';
import { DEFAULT_DEVICE_PROFILE, type DeviceProfile } from '../generated-kernel.js';

/** A hardware GPU: the WebGPU core limits, no subgroups. */
export const HARDWARE: DeviceProfile = { ...DEFAULT_DEVICE_PROFILE, subgroups: false };

/** A software adapter (SwiftShader): one invocation per row, direct matmuls, blocked attention rows. */
export const SOFTWARE: DeviceProfile = { ...DEFAULT_DEVICE_PROFILE, subgroups: false, software: true };

/** The two profiles by name, for `describe.each`-style loops. */
export const PROFILES = [
  ['hardware', HARDWARE],
  ['software', SOFTWARE],
] as const;

/**
 * The WGSL of the graph with `outputs`, for `profile`; checks that fusion produced exactly the
 * kernels `templates` lists (so a snapshot shows the template it is named after), and joins the
 * kernels' WGSL in dispatch order.
 */
export function programWgsl(
  outputs: Readonly<Record<string, Node>>,
  profile: DeviceProfile,
  templates: readonly KernelTemplate[],
): string {
  const { plan } = runPipeline(makeGraph(outputs), {
    fuse: true,
    alignment: profile.limits.minStorageBufferOffsetAlignment,
  });
  const actual = plan.kernels.map((kernel) => kernel.template);
  if (actual.join(',') !== templates.join(',')) {
    throw new Error(`expected kernels ${templates.join(', ')}, the plan has ${actual.join(', ')}`);
  }
  return generateProgram(plan, profile, { inputAccess: 'read_write' })
    .map((kernel) => kernel.wgsl.trimEnd())
    .join('\n\n// ---- next kernel ----\n\n');
}
