import { input, makeGraph } from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { multiTokenParameterNames } from '../apply-multi-token.js';
import { causal } from '../masks/builtin-masks.js';
import { attention } from '../spec/attention-spec.js';
import { type MultiTokenOptions, multiTokenConvolution } from '../spec/multi-token.js';
import type { AttentionCatalogEntry, AttentionCatalogInstance } from './attention-catalog.js';
import { seeded } from './seeded-values.js';

/** Sizes and options of one Multi-Token instance. */
export interface MultiTokenInstanceOptions extends MultiTokenOptions {
  readonly name: string;
  readonly heads: number;
  readonly length: number;
  readonly headDim: number;
  readonly causal: boolean;
}

/**
 * A Multi-Token Attention instance over one sequence (q, k, v `[1, H, N, d]`, seeded, never
 * zero): the kernel θ near the paper's identity initialization (1 at [c_q − 1, ⌊c_k/2⌋]) plus seeded
 * taps of size ≤ 0.3, head mixes of size ≤ 0.5 around the identity, a seeded group-norm gain.
 */
export function multiTokenInstance(options: MultiTokenInstanceOptions): AttentionCatalogInstance {
  const { name, heads, length, headDim, queryKernel, keyKernel } = options;
  const shape = [1, heads, length, headDim];
  const { output } = applyAttention(
    attention({
      name,
      heads,
      headDim,
      ...(options.causal ? { mask: causal() } : {}),
      scoreMap: multiTokenConvolution({
        queryKernel,
        keyKernel,
        ...(options.headMixing === undefined ? {} : { headMixing: options.headMixing }),
        ...(options.groupNorm === undefined ? {} : { groupNorm: options.groupNorm }),
      }),
    }),
    { query: input('q', shape), key: input('k', shape), value: input('v', shape) },
  );
  const names = multiTokenParameterNames(name);
  const taps = queryKernel * keyKernel;
  const kernel = seeded(heads * taps, 21).map((x, index) =>
    index % taps === (queryKernel - 1) * keyKernel + (keyKernel - 1) / 2 ? 1 + 0.3 * x : 0.3 * x,
  );
  const group = options.headMixing?.groupSize ?? 1;
  const params: Record<string, Float32Array> = { [names.kernel]: kernel };
  if (options.headMixing !== undefined)
    params[names.headMix] = seeded((heads / group) * group * group, 22).map((x, index) =>
      Math.floor(index / group) % group === index % group ? 1 + 0.5 * x : 0.5 * x,
    );
  if (options.groupNorm) params[names.normGain] = seeded(headDim, 23).map((x) => 1 + 0.5 * x);
  const count = heads * length * headDim;
  return {
    graph: makeGraph({ output }),
    params,
    inputs: { q: seeded(count, 1), k: seeded(count, 2), v: seeded(count, 3) },
    dims: {},
  };
}

/** The catalog instance's options: the paper's main configuration at small sizes. */
export const MULTI_TOKEN_CATALOG_OPTIONS: MultiTokenInstanceOptions = {
  name: 'multi-token-attention',
  heads: 4,
  length: 12,
  headDim: 8,
  causal: true,
  queryKernel: 3,
  keyKernel: 5,
  headMixing: { groupSize: 2, placement: 'postSoftmax' },
  groupNorm: true,
};

/**
 * Multi-Token Attention (catalog paper 43), its main configuration: pre-softmax key–query
 * convolution (causal over queries, centred over keys), post-softmax head mixing in groups of
 * c_h = 2 and the group norm; causal self-attention, 4 heads × 12 tokens × dim 8, c_q = 3, c_k = 5.
 */
export const multiTokenAttentionCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'multi-token-attention',
  paper: 43,
  build: () => multiTokenInstance(MULTI_TOKEN_CATALOG_OPTIONS),
};
