import { input, makeGraph, tensorRef } from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { keySelection } from '../masks/builtin-masks.js';
import { attention } from '../spec/attention-spec.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { seeded } from './seeded-values.js';

const BATCH = 2;
const HEADS = 4;
const DIM = 16;
/** iFAM's stage-2 ViT tokens: CLS and 4 registers (always kept), then 19 patches. */
const PREFIX = 5;
const TOKENS = 24;

/**
 * iFAM's faithful attention map (catalog #84) at small sizes: every layer of the stage-2 ViT masks
 * the patch keys its stage-1 part selection m drops, M_ij = m_j per sample, while CLS and the
 * register tokens stay visible. Two samples with different selections (not prefixes), so the mask
 * is an arbitrary per-sample key set. iFAM's pruning of masked tokens at inference (a gather to the
 * largest kept count) gives the same outputs for kept tokens and is not modelled here.
 */
export const faithfulKeyMaskCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'faithful-key-mask',
  paper: 84,
  build() {
    const name = 'faithful-key-mask';
    const spec = attention({
      name,
      heads: HEADS,
      headDim: DIM,
      mask: keySelection(tensorRef('selection', [BATCH, TOKENS], 'i32'), { prefix: PREFIX }),
    });
    const shape = [BATCH, HEADS, TOKENS, DIM];
    const { output } = applyAttention(spec, {
      query: input('q', shape),
      key: input('k', shape),
      value: input('v', shape),
      tensors: { selection: input('selection', [BATCH, TOKENS], 'i32') },
    });
    // A seeded part selection per sample (prefix entries 0: the mask keeps them regardless).
    const selection = Int32Array.from(seeded(BATCH * TOKENS, 7), (x, i) =>
      i % TOKENS < PREFIX ? 0 : x > 0 ? 1 : 0,
    );
    const count = BATCH * HEADS * TOKENS * DIM;
    return {
      graph: makeGraph({ output }),
      params: {},
      inputs: { q: seeded(count, 1), k: seeded(count, 2), v: seeded(count, 3), selection },
      dims: {},
    };
  },
};
