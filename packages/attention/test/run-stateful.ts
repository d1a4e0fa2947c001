import type { Graph } from '@weft/ir';
import { compile } from '@weft/runtime';
import { attention } from '../src/kernels.js';

/**
 * Compiles `graph` with persistent `state` (input name → output name, see `compile`) and runs it
 * once per entry of `calls` on `device`, outputs poisoned, returning the `read` output of each run.
 * The state input is fed by the first call only; later calls read what the previous run left on
 * the device.
 */
export async function runWithState(
  device: GPUDevice,
  graph: Graph,
  params: Readonly<Record<string, ArrayLike<number>>>,
  state: Readonly<Record<string, string>>,
  calls: readonly Readonly<Record<string, ArrayLike<number>>>[],
  read: string,
): Promise<Float32Array[]> {
  const program = await compile(graph, { device, params, extensions: [attention], state });
  try {
    const results: Float32Array[] = [];
    for (const feeds of calls) {
      const outputs = await program.run(feeds, { poisonOutputs: true, outputs: [read] });
      results.push(Float32Array.from(outputs[read]!.data));
    }
    return results;
  } finally {
    program.destroy();
  }
}
