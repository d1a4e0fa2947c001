import type { Graph, Tensor64 } from '@weft/ir';
import { type CompileOptions, compile, type Program } from '@weft/runtime';
import { decodeVersusRecomputePrograms } from './decode-versus-recompute.js';

export { normwiseError } from './normwise-error.js';

/** Seeded float64 parameters (`randomGraphParams`) as the float32 arrays a program takes. */
export function float32Params(params: Readonly<Record<string, Tensor64>>): Record<string, Float32Array> {
  return Object.fromEntries(
    Object.entries(params).map(([name, tensor]) => [name, Float32Array.from(tensor.data)]),
  );
}

/** The same parameters as plain float64 arrays by name (the dense formulas' input). */
export function float64Values(params: Readonly<Record<string, Tensor64>>): Record<string, ArrayLike<number>> {
  return Object.fromEntries(Object.entries(params).map(([name, tensor]) => [name, tensor.data]));
}

/** What a device check compiles with: the device, the kernels' extensions and the parameters. */
export type DecoderDeviceSetup = Pick<CompileOptions, 'device' | 'extensions' | 'params'>;

/** Compiles `graph`, runs it once on `tokens` with outputs poisoned, and returns its logits and kernel count. */
export async function forwardLogitsOnDevice(
  setup: DecoderDeviceSetup,
  graph: Graph,
  tokens: readonly number[],
): Promise<{ readonly logits: Float32Array; readonly kernels: number }> {
  const program = await compile(graph, setup);
  try {
    const run = await program.run(
      { tokens: Int32Array.from(tokens) },
      { dims: { seq: tokens.length }, poisonOutputs: true },
    );
    return { logits: Float32Array.from(run.logits!.data), kernels: program.kernels.length };
  } finally {
    program.destroy();
  }
}

/**
 * Compiles a decoder's step program (its caches as device state) and forward program, prefills
 * `promptLength` tokens and decodes the rest one per step, and returns per step the normwise error
 * against the forward program over the same prefix (see `decodeVersusRecomputePrograms`), with the
 * step program's kernel count.
 */
export async function stepVersusForwardOnDevice(
  setup: DecoderDeviceSetup,
  graphs: {
    readonly step: { readonly graph: Graph; readonly state: Readonly<Record<string, string>> };
    readonly forward: Graph;
  },
  vocabSize: number,
  tokens: readonly number[],
  promptLength: number,
): Promise<{ readonly errors: number[]; readonly stepKernels: number }> {
  const step: Program = await compile(graphs.step.graph, { ...setup, state: graphs.step.state });
  const forward: Program = await compile(graphs.forward, setup);
  try {
    const errors = await decodeVersusRecomputePrograms({ step, forward, vocabSize }, tokens, promptLength);
    return { errors, stepKernels: step.kernels.length };
  } finally {
    step.destroy();
    forward.destroy();
  }
}
