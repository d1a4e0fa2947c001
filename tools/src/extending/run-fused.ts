import type { Graph, Tensor64 } from '@weft/ir';
import { compile } from '@weft/runtime';
import { getTestDevice } from '@weft/runtime/test';
import type { KernelExtension } from '@weft/wgsl';

/**
 * Compiles `graph` on the test device with `extensions`, runs it once on `inputs` (as f32) with
 * NaN-poisoned outputs, and returns output `out` and the number of kernels that computed it.
 */
export async function runFused(
  graph: Graph,
  inputs: Readonly<Record<string, Tensor64>>,
  extensions: readonly KernelExtension[],
): Promise<{ readonly out: Float32Array; readonly kernels: number }> {
  const program = await compile(graph, { device: await getTestDevice(), extensions });
  try {
    const data = Object.fromEntries(
      Object.entries(inputs).map(([name, tensor]) => [name, Float32Array.from(tensor.data)]),
    );
    const out = (await program.run(data, { poisonOutputs: true })).out!.data as Float32Array;
    return { out, kernels: program.kernels.length };
  } finally {
    program.destroy();
  }
}
