import { concat, literal, makeGraph } from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { causal } from '../masks/builtin-masks.js';
import { hoistQkTransforms } from '../qk-transforms-before-kernel.js';
import { shiftRopePositions } from '../shift-rope-positions.js';
import { attention } from '../spec/attention-spec.js';
import { rope } from '../spec/positions.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { qkvInputs, positionRange as rows } from './qkv-inputs.js';
import { seeded } from './seeded-values.js';

const HEADS = 4;
const DIM = 16;
/** Three retrieved passages of 6 tokens, then the question's 6 tokens. */
export const BLOCK_RAG_SHAPE = { heads: HEADS, headDim: DIM, block: 6, blocks: 4 } as const;
const LENGTH = BLOCK_RAG_SHAPE.block * BLOCK_RAG_SHAPE.blocks;

/**
 * Block-Attention for RAG (catalog paper 106) over 3 passages of 6 tokens and a question of 6 (raw
 * `q`, `k`, `v` `[1, 4, 24, 16]`, RoPE). Each passage is encoded on its own, as if cached, with
 * positions from 0: causal attention within it (`passages` `[1, 4, 18, 16]`). The question then
 * attends causally to every passage's cached keys, moved to their offsets 6·i by
 * `shiftRopePositions` (R(a)R(b) = R(a + b)), and to its own keys at positions 18..23 (`question`).
 */
export const blockAttentionRagCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'block-attention-rag',
  paper: 106,
  build() {
    const [q, k, v] = qkvInputs([1, HEADS, LENGTH, DIM]);
    const { block, blocks } = BLOCK_RAG_SHAPE;
    const positioned = attention({ name: 'block-rag', heads: HEADS, headDim: DIM, positions: rope() });
    const plain = attention({ name: 'block-rag', heads: HEADS, headDim: DIM, mask: causal() });
    const passages = Array.from({ length: blocks - 1 }, (_, index) => {
      const [from, to] = [index * block, (index + 1) * block];
      // Cached once, with positions starting at 0.
      const local = hoistQkTransforms(positioned, {
        query: rows(q, from, to),
        key: rows(k, from, to),
        value: rows(v, from, to),
      }).inputs;
      const output = applyAttention(plain, local).output;
      return { output, placedKey: shiftRopePositions(positioned, local.key, from) };
    });
    const questionStart = (blocks - 1) * block;
    const question = hoistQkTransforms(
      positioned,
      {
        query: rows(q, questionStart, LENGTH),
        key: rows(k, questionStart, LENGTH),
        value: rows(v, questionStart, LENGTH),
      },
      { positionOffset: literal([questionStart], [1], 'i32') },
    ).inputs;
    // Bottom-right causal: the 6 question rows are the last of the 24 keys.
    const answer = applyAttention(plain, {
      query: question.query,
      key: concat([...passages.map((passage) => passage.placedKey), question.key], 2),
      value: v,
    });
    const count = HEADS * LENGTH * DIM;
    return {
      graph: makeGraph({
        passages: concat(
          passages.map((passage) => passage.output),
          2,
        ),
        question: answer.output,
      }),
      params: {},
      inputs: { q: seeded(count, 81), k: seeded(count, 82), v: seeded(count, 83) },
      dims: {},
    };
  },
};
