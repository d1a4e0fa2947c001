import { type DimBindings, type Graph, graphNodes } from '@weft/ir';
import { compile, type WeftDevice } from '@weft/runtime';
import type { KernelExtension, KernelPrecision } from '@weft/wgsl';
import { attention } from '../src/kernels.js';

/**
 * Compiles `graph` with the runtime and runs it once on `device` with NaN-poisoned outputs.
 * `values` holds inputs and parameters by name (split here by the graph's own nodes); `extensions`
 * are compiled in next to the attention kernels (the linear-attention op, for compositions).
 */
export async function runKernels(
  device: GPUDevice | WeftDevice,
  graph: Graph,
  values: Readonly<Record<string, ArrayLike<number>>>,
  dims: DimBindings,
  options: {
    subgroups?: boolean;
    extensions?: readonly KernelExtension[];
    precision?: KernelPrecision;
  } = {},
): Promise<{ outputs: Record<string, Float32Array>; kernels: number; wgsl: string[] }> {
  const paramNames = new Set(
    graphNodes(graph).flatMap((node) => (node.op === 'param' ? [String(node.attrs.name)] : [])),
  );
  const params: Record<string, ArrayLike<number>> = {};
  const inputs: Record<string, ArrayLike<number>> = {};
  for (const [name, data] of Object.entries(values)) (paramNames.has(name) ? params : inputs)[name] = data;
  const program = await compile(graph, {
    device,
    params,
    extensions: [attention, ...(options.extensions ?? [])],
    ...(options.subgroups === undefined ? {} : { subgroups: options.subgroups }),
    ...(options.precision === undefined ? {} : { precision: options.precision }),
  });
  try {
    const results = await program.run(inputs, { dims, poisonOutputs: true });
    const outputs = Object.fromEntries(
      Object.entries(results).map(([name, result]) => [name, Float32Array.from(result.data)]),
    );
    return { outputs, kernels: program.stats.kernels, wgsl: program.kernels.map((kernel) => kernel.wgsl) };
  } finally {
    program.destroy();
  }
}
