import { input, makeGraph } from '@weft/ir';
import { recurrentMemoryBlock } from '../compose/recurrent-memory-block.js';
import type { AttentionCatalogEntry } from './attention-catalog.js';
import { seededBlockParams } from './seeded-block-params.js';
import { seeded } from './seeded-values.js';

/** The stand-in's instance: 2 sequences of a 24-token segment, width 32, 4 heads, chunks of 8, 6 memory slots. */
export const RECURRENT_MEMORY_SHAPE = {
  batch: 2,
  length: 24,
  width: 32,
  heads: 4,
  slots: 6,
  chunk: 8,
} as const;

/**
 * The stand-in for catalog paper 93's block (see `recurrentMemoryBlock` for the choices the paper
 * leaves open): global causal + chunked causal (RoPE) + memory attention summed, and the gated FIFO
 * update of the memory bank. Outputs `output` and `memory` (the next bank). Weights ±[0.1, 1]/√fan-in,
 * LayerNorm gains in [0.5, 1.5], biases ±[0.01, 0.1].
 */
export const recurrentMemoryCatalogEntry: AttentionCatalogEntry = {
  mechanism: 'recurrent-memory-stand-in',
  paper: 93,
  build() {
    const { batch, length, width, heads, slots, chunk } = RECURRENT_MEMORY_SHAPE;
    const x = input('x', [batch, length, width]);
    const bank = input('memory', [batch, slots, width]);
    const { output, memory } = recurrentMemoryBlock(x, bank, { heads, chunk });
    const graph = makeGraph({ output, memory });
    return {
      graph,
      params: seededBlockParams(graph),
      inputs: { x: seeded(batch * length * width, 1), memory: seeded(batch * slots * width, 2) },
      dims: {},
    };
  },
};
