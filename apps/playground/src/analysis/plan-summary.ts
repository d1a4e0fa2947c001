import { formatShape, type KernelPlan, maxElementCount, type Node } from '@weft/ir';
import type { PlanKernel, PlanTensor } from './analysis-result.js';

const SOURCES = new Set(['input', 'param', 'constant', 'literal']);
const BYTES_PER_ELEMENT: Readonly<Record<string, number>> = { f16: 2, bool: 4 };

/**
 * The plan as the picture draws it: each kernel with its fused ops and the tensors it reads and
 * writes (by id), and those tensors with their sizes. `wgsl[i]` is kernel `i`'s module.
 */
export function planSummary(
  plan: KernelPlan,
  wgsl: readonly string[],
): { kernels: PlanKernel[]; tensors: PlanTensor[] } {
  const outputs = new Map<Node, string>();
  for (const [name, node] of Object.entries(plan.graph.outputs)) outputs.set(node, name);
  const ids = new Map<Node, number>();
  const tensors: PlanTensor[] = [];
  const idOf = (node: Node): number => {
    let id = ids.get(node);
    if (id === undefined) {
      id = ids.size;
      ids.set(node, id);
      tensors.push(describeTensor(node, id, outputs.get(node)));
    }
    return id;
  };
  const kernels = plan.kernels.map((kernel, index) => ({
    label: `kernel ${index}: ${kernel.template}`,
    template: kernel.template,
    ops: kernel.nodes.filter((node) => !SOURCES.has(node.op)).map((node) => node.op),
    reads: kernel.inputs.map(idOf),
    writes: kernel.outputs.map(idOf),
    wgsl: wgsl[index] ?? '',
  }));
  return { kernels, tensors };
}

function describeTensor(node: Node, id: number, outputName: string | undefined): PlanTensor {
  const role =
    outputName !== undefined
      ? 'output'
      : node.op === 'input'
        ? 'input'
        : node.op === 'param'
          ? 'param'
          : 'intermediate';
  const name = outputName ?? (node.op === 'input' || node.op === 'param' ? String(node.attrs.name) : node.op);
  return {
    id,
    name,
    shape: formatShape(node.shape),
    bytes: maxElementCount(node.shape) * (BYTES_PER_ELEMENT[node.dtype] ?? 4),
    role,
  };
}
