import { type Attrs, SpecError } from '@weft/ir';

/** Name of the Multi-Token Attention op (both of its nodes: row statistics and output). */
export const MULTI_TOKEN_OP = 'attention.multiToken';

/** What a Multi-Token node computes: the rows' (max, sum) of the mixed logits, or O. */
export type MultiTokenResult = 'stats' | 'output';

/** The decoded attributes of a Multi-Token node. */
export interface MultiTokenAttrs {
  /** Block name, for errors and labels. */
  readonly block: string;
  readonly heads: number;
  readonly kvHeads: number;
  readonly valueHeads: number;
  readonly headDim: number;
  readonly valueDim: number;
  /** Kernel rows c_q (query axis, causal). */
  readonly queryKernel: number;
  /** Kernel columns c_k (key axis, centred, odd). */
  readonly keyKernel: number;
  /** Whether key j > query i is masked (0 before the convolution, −∞ before the softmax). */
  readonly causal: boolean;
  /** Heads per mixing group c_h (1 without mixing). */
  readonly mixGroup: number;
  /** Where the heads mix, or `null` without mixing. */
  readonly mixPlacement: 'preSoftmax' | 'postSoftmax' | null;
  /** The group norm's ε, or `null` without it. */
  readonly groupNormEpsilon: number | null;
  /** Which result the node holds. */
  readonly result: MultiTokenResult;
}

/** Positions of a Multi-Token node's operands (`-1`: absent). */
export interface MultiTokenOperands {
  readonly query: number;
  readonly key: number;
  readonly value: number;
  readonly kernel: number;
  readonly headMix: number;
  readonly normGain: number;
  readonly stats: number;
  readonly count: number;
}

/**
 * Operand order: q, k, (v), θ, (W), (γ), (stats). The statistics node reads q, k, θ and a
 * pre-softmax W; the
 * output node all of them, the statistics only with post-softmax mixing (else it runs an online
 * softmax itself).
 */
export function multiTokenOperands(attrs: MultiTokenAttrs): MultiTokenOperands {
  let next = 0;
  const take = (present: boolean) => (present ? next++ : -1);
  const output = attrs.result === 'output';
  const query = take(true);
  const key = take(true);
  const value = take(output);
  const kernel = take(true);
  // The statistics of post-softmax mixing are each head's own: they read no mix.
  const headMix = take(attrs.mixPlacement === 'preSoftmax' || (output && attrs.mixPlacement !== null));
  const normGain = take(output && attrs.groupNormEpsilon !== null);
  const stats = take(output && attrs.mixPlacement === 'postSoftmax');
  return { query, key, value, kernel, headMix, normGain, stats, count: next };
}

/** The attrs as stored on the node. */
export function encodeMultiToken(attrs: MultiTokenAttrs): Attrs {
  return { ...attrs };
}

const NUMBERS = [
  'heads',
  'kvHeads',
  'valueHeads',
  'headDim',
  'valueDim',
  'queryKernel',
  'keyKernel',
  'mixGroup',
];

/** Reads stored attrs back, refusing a malformed set (a hand-edited graph) with a `SpecError`. */
export function decodeMultiToken(attrs: Attrs): MultiTokenAttrs {
  const block = typeof attrs.block === 'string' ? attrs.block : 'attention';
  const bad = (key: string): never => {
    throw new SpecError(`attention "${block}": Multi-Token attribute "${key}" is malformed`, {
      block,
      expected: key,
      actual: JSON.stringify(attrs[key] ?? null),
    });
  };
  for (const key of NUMBERS) {
    const value = attrs[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) bad(key);
  }
  if (typeof attrs.causal !== 'boolean') bad('causal');
  const placement = attrs.mixPlacement ?? null;
  if (placement !== null && placement !== 'preSoftmax' && placement !== 'postSoftmax') bad('mixPlacement');
  const epsilon = attrs.groupNormEpsilon ?? null;
  if (epsilon !== null && (typeof epsilon !== 'number' || !(epsilon > 0))) bad('groupNormEpsilon');
  if (attrs.result !== 'stats' && attrs.result !== 'output') bad('result');
  const decoded = {
    ...(attrs as unknown as MultiTokenAttrs),
    block,
    mixPlacement: placement as MultiTokenAttrs['mixPlacement'],
    groupNormEpsilon: epsilon as number | null,
  };
  if (decoded.keyKernel % 2 !== 1) bad('keyKernel');
  if (decoded.heads % decoded.mixGroup !== 0) bad('mixGroup');
  return decoded;
}
