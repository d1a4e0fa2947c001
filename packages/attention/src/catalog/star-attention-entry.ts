import { makeGraph, type Node } from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { anchorBlocks } from '../masks/anchor-blocks.js';
import { causal } from '../masks/builtin-masks.js';
import { mergeAttention } from '../merge-attention.js';
import { hoistQkTransforms } from '../qk-transforms-before-kernel.js';
import { type AttentionOptions, attention } from '../spec/attention-spec.js';
import { rope } from '../spec/positions.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { positionRange as positions, qkvInputs } from './qkv-inputs.js';
import { seeded } from './seeded-values.js';

const HEADS = 4;
const DIM = 16;
/** Context blocks of 6 tokens (4 hosts), then 4 query tokens. */
export const STAR_SHAPE = { heads: HEADS, headDim: DIM, block: 6, context: 24, queries: 4 } as const;
const LENGTH = STAR_SHAPE.context + STAR_SHAPE.queries;

/**
 * Star Attention (catalog paper 99) over 24 context tokens in 4 blocks of 6 and 4 query tokens, RoPE
 * at global positions (rotated once, before both phases). Phase 1 (`context`): each block attends
 * causally to itself and to the anchor block, one attention with the `anchorBlocks(6)` mask. Phase 2
 * (`query`): the query tokens attend to each host's block (4 attentions with their log-sum-exp)
 * and causally to themselves, merged exactly by `mergeAttention`. Inputs `q`, `k`, `v` `[1, 4, 28, 16]`.
 */
export const starAttentionCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'star-attention',
  paper: 99,
  build() {
    const [q, k, v] = qkvInputs([1, HEADS, LENGTH, DIM]);
    const spec = (name: string, extra: Partial<AttentionOptions>) =>
      attention({ name: `star-attention.${name}`, heads: HEADS, headDim: DIM, ...extra });
    const rotated = hoistQkTransforms(spec('rope', { positions: rope() }), {
      query: q,
      key: k,
      value: v,
    }).inputs;
    const { block, context } = STAR_SHAPE;
    const contextPart = (x: Node) => positions(x, 0, context);
    const phase1 = applyAttention(spec('context', { mask: anchorBlocks(block) }), {
      query: contextPart(rotated.query),
      key: contextPart(rotated.key),
      value: contextPart(v),
    });
    const queryRows = positions(rotated.query, context, LENGTH);
    const hosts = Array.from({ length: context / block }, (_, host) =>
      applyAttention(spec(`host${host}`, { outputs: { logSumExp: true } }), {
        query: queryRows,
        key: positions(rotated.key, host * block, (host + 1) * block),
        value: positions(v, host * block, (host + 1) * block),
      }),
    );
    const own = applyAttention(spec('queries', { mask: causal(), outputs: { logSumExp: true } }), {
      query: queryRows,
      key: positions(rotated.key, context, LENGTH),
      value: positions(v, context, LENGTH),
    });
    const merged = mergeAttention(
      [...hosts, own].map((part) => ({ output: part.output, logSumExp: part.logSumExp! })),
    );
    const count = HEADS * LENGTH * DIM;
    return {
      graph: makeGraph({ context: phase1.output, query: merged.output }),
      params: {},
      inputs: { q: seeded(count, 71), k: seeded(count, 72), v: seeded(count, 73) },
      dims: {},
    };
  },
};
