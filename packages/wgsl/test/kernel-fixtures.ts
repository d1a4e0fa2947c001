import type { Kernel, KernelTemplate, Node } from '@weft/ir';
import { scheduleKernel } from '@weft/ir/internal';
import { DEFAULT_DEVICE_PROFILE, type DeviceProfile } from '../src/generated-kernel.js';

/**
 * A kernel computing `outputs` from `inputs` (everything between them is fused), as the fusion
 * planner would hand it over (with the schedule it would derive). The anchor defaults to the last
 * output.
 */
export function makeKernel(
  template: KernelTemplate,
  outputs: readonly Node[],
  inputs: readonly Node[],
  options: { id?: number; anchor?: Node } = {},
): Kernel {
  const stop = new Set(inputs);
  const nodes: Node[] = [];
  const seen = new Set<Node>();
  const visit = (node: Node): void => {
    if (seen.has(node) || stop.has(node)) return;
    seen.add(node);
    node.inputs.forEach(visit);
    nodes.push(node);
  };
  outputs.forEach(visit);
  const anchor = options.anchor ?? outputs[outputs.length - 1]!;
  const schedule = scheduleKernel({ template, anchor, nodes, outputs });
  return { id: options.id ?? 0, template, anchor, nodes, inputs, outputs, schedule };
}

/** SwiftShader-like limits with subgroups, for tests of the subgroup path. */
export const SUBGROUP_PROFILE: DeviceProfile = { ...DEFAULT_DEVICE_PROFILE, subgroups: true };

/** A profile with f16 storage. */
export const F16_PROFILE: DeviceProfile = { ...DEFAULT_DEVICE_PROFILE, shaderF16: true };
