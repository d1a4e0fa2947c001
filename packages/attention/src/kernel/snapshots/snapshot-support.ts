// Shared by the attention WGSL snapshot tests: small attention graphs through the runtime's own
// device-free generation (`generateGraphKernels`, what `compile` runs), on two device profiles.
import { input, makeGraph, type Node, tensorRef } from '@weft/ir';
import { generateGraphKernels } from '@weft/runtime';
import { DEFAULT_DEVICE_PROFILE, type DeviceProfile } from '@weft/wgsl';
import { type AttentionOptions, applyAttention, attention } from '../../index.js';
import { attention as attentionKernels } from '../../kernels.js';

/** A hardware GPU: the WebGPU core limits, no subgroups. */
export const HARDWARE: DeviceProfile = { ...DEFAULT_DEVICE_PROFILE, subgroups: false };

/** A software adapter (SwiftShader): query rows blocked per invocation where the normalizer allows. */
export const SOFTWARE: DeviceProfile = { ...DEFAULT_DEVICE_PROFILE, subgroups: false, software: true };

/** Batch 1, 2 heads, 8 keys, head dim 4 (queries: 8, or fewer for decoding). */
export const HEADS = 2;
export const KEYS = 8;
export const DIM = 4;

/** A `[heads]` tensor reference of a per-head parameter (bound to a `param` of the same name). */
export const perHead = (name: string) => tensorRef(name, [HEADS]);

/** Options of {@link attentionWgsl}. */
export interface AttentionCase {
  /** Query rows (default {@link KEYS}). */
  readonly queries?: number;
  /** Keys (default {@link KEYS}). */
  readonly keys?: number;
  /** Extra tensors the spec reads, by name. */
  readonly tensors?: (parts: { query: Node }) => Readonly<Record<string, Node>>;
}

/**
 * The WGSL of `attention(options)` applied to q [1, 2, queries, 4], k and v [1, 2, keys, 4], for
 * `profile`, with the log-sum-exp and row max as graph outputs where the spec asks for them;
 * checks that the plan is one attention kernel.
 */
export function attentionWgsl(
  options: AttentionOptions,
  profile: DeviceProfile,
  shape: AttentionCase = {},
): string {
  const spec = attention(options);
  const queries = shape.queries ?? KEYS;
  const keys = shape.keys ?? KEYS;
  const query = input('q', [1, spec.heads, queries, spec.headDim]);
  const key = input('k', [1, spec.kvHeads, keys, spec.headDim]);
  const value = input('v', [1, spec.valueHeads, keys, spec.valueDim]);
  const { output, logSumExp, rowMax } = applyAttention(spec, {
    query,
    key,
    value,
    ...(shape.tensors === undefined ? {} : { tensors: shape.tensors({ query }) }),
  });
  // The row statistics the spec asks for are outputs too: the same kernel writes them.
  const outputs = {
    output,
    ...(logSumExp === undefined ? {} : { logSumExp }),
    ...(rowMax === undefined ? {} : { rowMax }),
  };
  const { plan, kernels } = generateGraphKernels(makeGraph(outputs), profile, {
    extensions: [attentionKernels],
  });
  const templates = plan.kernels.map((kernel) => kernel.template);
  if (templates.length !== 1)
    throw new Error(`expected one attention kernel, the plan has ${templates.join(', ')}`);
  return kernels[0]!.wgsl.trimEnd();
}
