import { input, makeGraph, tensorRef } from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { attention } from '../spec/attention-spec.js';
import { patternInjectedHeads } from '../spec/pattern-injected-heads.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { seeded } from './seeded-values.js';

const LENGTH = 24;
const DIM = 16;

/** Token ids of the instance: a vocabulary of 5, so that every query has a few matching keys. */
export const PATTERN_TOKEN_IDS: Int32Array = Int32Array.from({ length: LENGTH }, (_, i) => (i * 7) % 5);
/** Sentence ids of the instance: sentences of 7, 7, 7 and 3 tokens. */
export const PATTERN_SENTENCE_IDS: Int32Array = Int32Array.from({ length: LENGTH }, (_, i) =>
  Math.floor(i / 7),
);

/**
 * Catalog paper 75's pattern injection at 4 heads × 24 positions × dim 16: head 0 matching-token,
 * head 1 intra-sentence, head 2 positional (i ± 1), head 3 an ordinary softmax head. Inputs `q`, `k`,
 * `v`, `tokenIds` and `sentenceIds` (`[1, 24]` i32).
 */
export const patternInjectedHeadsCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'pattern-injected-heads',
  paper: 75,
  build() {
    const heads = 4;
    const tokenIds = tensorRef('tokenIds', [1, LENGTH], 'i32');
    const sentenceIds = tensorRef('sentenceIds', [1, LENGTH], 'i32');
    const { score, mask } = patternInjectedHeads({
      patterns: ['matchingToken', 'intraSentence', 'positional', 'learned'],
      tokenIds,
      sentenceIds,
    });
    const spec = attention({ heads, headDim: DIM, score, mask, name: 'pattern-injected-heads' });
    const shape = [1, heads, LENGTH, DIM];
    const { output } = applyAttention(spec, {
      query: input('q', shape),
      key: input('k', shape),
      value: input('v', shape),
      tensors: {
        tokenIds: input('tokenIds', [1, LENGTH], 'i32'),
        sentenceIds: input('sentenceIds', [1, LENGTH], 'i32'),
      },
    });
    const count = heads * LENGTH * DIM;
    return {
      graph: makeGraph({ output }),
      params: {},
      inputs: {
        q: seeded(count, 1),
        k: seeded(count, 2),
        v: seeded(count, 3),
        tokenIds: PATTERN_TOKEN_IDS,
        sentenceIds: PATTERN_SENTENCE_IDS,
      },
      dims: {},
    };
  },
};
