import { type Graph, makeGraph } from '@weft/ir';
import { compile, type Program } from '@weft/runtime';
import { applyLinearAttention, linearAttentionStateInputs } from '../src/linear/apply-linear-attention.js';
import type { LinearAttentionSpec } from '../src/linear/linear-attention-spec.js';
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

/**
 * Compiles the one-token decode step of `spec` for `device`: `operands` are the step's inputs (one
 * position); the state S (and the key sums z where the spec has a denominator) persist on the
 * device as `layer.state` / `layer.keyState`.
 */
export function compileLinearDecodeStep(
  device: GPUDevice,
  spec: LinearAttentionSpec,
  operands: Omit<Parameters<typeof applyLinearAttention>[1], 'state'>,
  batch: number,
): Promise<Program> {
  const state = linearAttentionStateInputs(spec, batch, 'layer');
  const step = applyLinearAttention(spec, { ...operands, state });
  const keys = step.state!.keys;
  return compileLinear(
    device,
    makeGraph({
      output: step.output,
      'layer.state': step.state!.values,
      ...(keys === undefined ? {} : { 'layer.keyState': keys }),
    }),
    { 'layer.state': 'layer.state', ...(keys === undefined ? {} : { 'layer.keyState': 'layer.keyState' }) },
  );
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

/** Sizes of the `[B, H, N, D]` queries/keys and `[B, H, N, E]` values that {@link decodeTokenByToken} feeds. */
export interface DecodeSizes {
  readonly B: number;
  readonly H: number;
  readonly N: number;
  readonly D: number;
  readonly E: number;
}

/**
 * Runs a one-token decode program (state kept on the device between runs) at each position of the
 * whole sequences `q`, `k`, `v` in turn, and gathers its `output` rows back into `[B, H, N, E]`:
 * what the recurrent form returns, to compare with the sweep and the dense formula.
 */
export async function decodeTokenByToken(
  program: Program,
  values: { readonly q: ArrayLike<number>; readonly k: ArrayLike<number>; readonly v: ArrayLike<number> },
  { B, H, N, D, E }: DecodeSizes,
): Promise<Float64Array> {
  const rowOf = (tensor: ArrayLike<number>, width: number, t: number) => {
    const row = new Float64Array(B * H * width);
    for (let bh = 0; bh < B * H; bh++)
      for (let c = 0; c < width; c++) row[bh * width + c] = tensor[(bh * N + t) * width + c]!;
    return row;
  };
  const stepped = new Float64Array(B * H * N * E);
  for (let t = 0; t < N; t++) {
    const inputs = { q: rowOf(values.q, D, t), k: rowOf(values.k, D, t), v: rowOf(values.v, E, t) };
    const out = (await runLinear(program, inputs)).output!;
    for (let bh = 0; bh < B * H; bh++) stepped.set(out.subarray(bh * E, (bh + 1) * E), (bh * N + t) * E);
  }
  return stepped;
}
