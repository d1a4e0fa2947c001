import { type Kernel, kernelBlockLabel, kernelTitle } from '@weft/ir';
import { sanitizeLabel } from '@weft/wgsl';
import type { KernelStats } from './program.js';

/** The stats row of one kernel: the same label its generated WGSL and GPU pipeline carry. */
export function kernelStats(kernel: Kernel): KernelStats {
  const block = kernelBlockLabel(kernel);
  return {
    label: sanitizeLabel(kernelTitle(kernel)),
    ...(block === undefined ? {} : { block }),
    template: kernel.template,
    nodes: kernel.nodes.length,
  };
}
