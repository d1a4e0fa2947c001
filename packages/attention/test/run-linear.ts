import type { Graph } from '@weft/ir';
import { compile, type Program } from '@weft/runtime';
import { linearAttentionExtension } from '../src/linear-kernels.js';

/** Compiles a linear-attention graph for `device` (with persistent `state` pairs and params, if any). */
export function compileLinear(
  device: GPUDevice,
  graph: Graph,
  state?: Readonly<Record<string, string>>,
  params?: Readonly<Record<string, ArrayLike<number>>>,
): Promise<Program> {
  return compile(graph, {
    device,
    extensions: [linearAttentionExtension],
    ...(state === undefined ? {} : { state }),
    ...(params === undefined ? {} : { params }),
  });
}

/** Runs once with NaN-poisoned outputs and returns every output as a Float64Array. */
export async function runLinear(
  program: Program,
  inputs: Readonly<Record<string, ArrayLike<number>>>,
  outputs?: readonly string[],
): Promise<Record<string, Float64Array>> {
  const results = await program.run(inputs, {
    poisonOutputs: true,
    ...(outputs === undefined ? {} : { outputs }),
  });
  return Object.fromEntries(
    Object.entries(results).map(([name, result]) => [name, Float64Array.from(result.data)]),
  );
}
