import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * A stand-in for the recurrent memory-augmented block of catalog paper 93 (no public code; the
 * catalog marks its equations to verify): pre-LN, global causal and chunked causal attention with
 * RoPE and attention to a memory bank, summed, with a residual through W_o; the bank is updated by
 * the catalog's gate Mem′ = g ⊙ Mem + (1 − g) ⊙ c, g = σ([Mem; c]·W_g + b_g), c the segment's mean
 * output (a choice), then FIFO (oldest slot out, c in). The next bank is an output, so
 * `compile(…, { state: { memory: 'memory' } })` carries it across calls on the device.
 *
 * Catalog paper 93: Recurrent Memory-Augmented Transformers with Chunked Attention (Kashyap 2025).
 *
 * @example
 * ```ts
 * const { output, memory } = recurrentMemoryBlock(x, bank, { heads: 4, chunk: 8 });
 * ```
 */
export const recurrentMemoryStandInEntry = attentionZooEntry({
  id: 'recurrent-memory-stand-in',
  mechanism: 'recurrent-memory-stand-in',
  paper: {
    id: 93,
    title: 'Recurrent Memory-Augmented Transformers with Chunked Attention (Kashyap 2025)',
    group: 'G6',
  },
  description:
    'Stand-in for the recurrent memory block: global causal + chunked causal (RoPE) + memory-bank attention summed, gated FIFO update of 6 slots with the segment mean, 2 × 24 tokens, width 32, 4 heads, chunks of 8.',
  tolerance: DEFAULT_TOLERANCE,
});
