import { input, makeGraph, type Node, runPipeline, symbolicDim, tensorRef } from '@weft/ir';
import { DEFAULT_DEVICE_PROFILE, type DeviceProfile, generateProgram } from '@weft/wgsl';
import {
  type AttentionOptions,
  alibi,
  applyAttention,
  attention,
  causal,
  entmax,
  groupedSoftmax,
  identity,
  keyPadding,
  nap,
  qkNorm,
  reluSquared,
  rope,
  sigmoid,
  slidingWindow,
  softmax,
  softplusNormalized,
  sparsemax,
  topTheta,
  weightedGqa,
} from '../src/index.js';
import { attention as attentionKernels } from '../src/kernels.js';
import { ATTENTION_OP } from '../src/op/attention-attrs.js';

/** The two device profiles attention kernels are generated for. */
export const PROFILES: Readonly<Record<string, DeviceProfile>> = {
  hardware: DEFAULT_DEVICE_PROFILE,
  software: { ...DEFAULT_DEVICE_PROFILE, software: true },
};

/** One attention configuration whose kernels the WGSL checks read. */
export interface AttentionWgslCase {
  readonly name: string;
  readonly options: Omit<AttentionOptions, 'heads' | 'kvHeads' | 'headDim' | 'valueDim'>;
  readonly heads?: number;
  readonly kvHeads?: number;
  readonly headDim?: number;
  /** A fixed length (default: symbolic, up to 512). */
  readonly length?: number;
  /** Queries (1 for decoding shapes: the split-keys kernel). */
  readonly queries?: number;
  /** Extra tensors (name → shape and dtype) the options capture. */
  readonly tensors?: Readonly<Record<string, readonly [readonly number[], 'f32' | 'i32']>>;
  /** Weighted GQA (learned weights) instead of plain GQA. */
  readonly weighted?: boolean;
}

/** A broad set: each normalizer family, causal and not, GQA, RoPE, ALiBi, masks, decoding. */
export const ATTENTION_WGSL_CASES: readonly AttentionWgslCase[] = [
  { name: 'softmax causal', options: { mask: causal() } },
  { name: 'softmax', options: {} },
  { name: 'softmax causal GQA RoPE', options: { mask: causal(), positions: rope() }, heads: 8, kvHeads: 2 },
  { name: 'softmax RoPE half d=30', options: { positions: rope() }, headDim: 30 },
  {
    name: 'softmax partial interleaved RoPE',
    options: { positions: rope({ fraction: 0.5, layout: 'interleaved' }), mask: causal() },
  },
  { name: 'softmax 2-D RoPE', options: { positions: rope({ dims: 2, grid: [8, 16] }) }, length: 128 },
  { name: 'softmax ALiBi sliding window', options: { positions: alibi(), mask: slidingWindow(16) } },
  {
    name: 'softmax key padding',
    options: { mask: keyPadding(tensorRef('lengths', [1], 'i32')) },
    tensors: { lengths: [[1], 'i32'] },
  },
  { name: 'softmax sink', options: { normalizer: softmax({ sink: 0.5 }), mask: causal() } },
  { name: 'softmax QK norm RoPE', options: { qkNorm: qkNorm(), positions: rope(), mask: causal() } },
  { name: 'softmax logSumExp', options: { mask: causal(), outputs: { logSumExp: true } } },
  { name: 'sigmoid causal', options: { normalizer: sigmoid(), mask: causal() } },
  { name: 'reluSquared', options: { normalizer: reluSquared() } },
  { name: 'entmax', options: { normalizer: entmax({ alpha: 1.5 }) } },
  { name: 'nap', options: { normalizer: nap() } },
  { name: 'identity', options: { normalizer: identity() } },
  { name: 'sparsemax causal', options: { normalizer: sparsemax(), mask: causal() } },
  { name: 'softplus l1', options: { normalizer: softplusNormalized({ lengthScale: 'log', reweight: {} }) } },
  {
    name: 'top theta',
    options: { normalizer: topTheta({ threshold: tensorRef('theta', [4]), compensation: 'valueMean' }) },
    tensors: { theta: [[4], 'f32'] },
  },
  { name: 'grouped softmax', options: { normalizer: groupedSoftmax({ blockSize: 16 }), mask: causal() } },
  { name: 'weighted GQA causal', options: { mask: causal() }, heads: 4, kvHeads: 2, weighted: true },
  {
    name: 'weighted GQA sigmoid QK norm',
    options: { normalizer: sigmoid(), qkNorm: qkNorm() },
    heads: 4,
    kvHeads: 3,
    weighted: true,
  },
  {
    name: 'decode softmax GQA RoPE',
    options: { mask: causal(), positions: rope() },
    heads: 8,
    kvHeads: 2,
    queries: 1,
  },
  { name: 'decode sigmoid', options: { normalizer: sigmoid() }, queries: 1 },
  { name: 'decode QK norm', options: { qkNorm: qkNorm(), mask: causal() }, queries: 1 },
  {
    name: 'decode weighted GQA',
    options: { mask: causal() },
    heads: 4,
    kvHeads: 2,
    weighted: true,
    queries: 1,
  },
  { name: 'decode logSumExp', options: { outputs: { logSumExp: true } }, queries: 1 },
  {
    name: 'softmax sink logSumExp rowMax',
    options: {
      normalizer: softmax({ sink: 0.5 }),
      mask: causal(),
      outputs: { logSumExp: true, rowMax: true },
    },
  },
  {
    name: 'decode sink logSumExp rowMax',
    options: { normalizer: softmax({ sink: 0.5 }), outputs: { logSumExp: true, rowMax: true } },
    queries: 1,
  },
  {
    name: 'softmax every readout',
    options: {
      mask: causal(),
      outputs: {
        logSumExp: true,
        entropy: true,
        diagonal: true,
        segmentMass: [0, 5, 40],
        probeRows: [-1, 0],
      },
    },
  },
  {
    name: 'softmax sink readouts',
    options: {
      normalizer: softmax({ sink: 0.5 }),
      mask: causal(),
      outputs: { entropy: true, diagonal: true, segmentMass: [0, 40], probeRows: [-1] },
    },
  },
  {
    name: 'softmax relative mass',
    options: { outputs: { relativeMass: 4 } },
  },
];

/** The WGSL of every attention kernel of `testCase` on `profile` (N = 128 queries and keys, symbolic). */
export function attentionWgsl(testCase: AttentionWgslCase, profile: DeviceProfile): string[] {
  const heads = testCase.heads ?? 4;
  const kvHeads = testCase.kvHeads ?? heads;
  const headDim = testCase.headDim ?? 32;
  const spec = attention({
    ...testCase.options,
    ...(testCase.weighted === true
      ? { name: 'w', heads: weightedGqa({ heads, kvHeads, weights: 'learned' }) }
      : { heads, kvHeads }),
    headDim,
  });
  const keys = testCase.length ?? symbolicDim('keys', { max: 512 });
  const queries = testCase.queries === 1 ? 1 : keys;
  const tensors: Record<string, Node> = {};
  for (const [name, [shape, dtype]] of Object.entries(testCase.tensors ?? {}))
    tensors[name] = input(name, shape, dtype);
  const result = applyAttention(
    spec,
    {
      query: input('q', [1, heads, queries, headDim]),
      key: input('k', [1, kvHeads, keys, headDim]),
      value: input('v', [1, kvHeads, keys, headDim]),
      tensors,
    },
    // The kernel prepares Q and K rows itself (long symbolic lengths would hoist them before it).
    { qkTransforms: 'inKernel' },
  );
  const outputs: Record<string, Node> = { output: result.output };
  if (result.logSumExp !== undefined) outputs.logSumExp = result.logSumExp;
  if (result.rowMax !== undefined) outputs.rowMax = result.rowMax;
  for (const name of ['entropy', 'diagonal', 'segmentMass', 'probeRows', 'relativeMass'] as const) {
    const readout = result[name];
    if (readout !== undefined) outputs[name] = readout;
  }
  const { plan } = runPipeline(makeGraph(outputs));
  return generateProgram(plan, profile, { extensions: [attentionKernels] })
    .filter((kernel) => kernel.kernel.anchor.op === ATTENTION_OP)
    .map((kernel) => kernel.wgsl);
}
