import { applyAttention, attention, causal, landmarkRetrieval } from '@weft/attention';
import { attention as attentionKernels } from '@weft/attention/kernels';
import { input, makeGraph, type Node } from '@weft/ir';
import { compile, type WeftDevice } from '@weft/runtime';
import type { LongDecodeContender } from './long-decode-contenders.js';

/** Attention shape of the landmark contenders: the benchmark model's 2 heads of 32. */
const HEADS = 2;
const HEAD_DIM = 32;
/** ℓ = 63: blocks of 64 slots with their landmark; the 4 best blocks retrieved. */
const BLOCK_SIZE = 63;
const TOP_K = 4;

/**
 * Attention-level decode steps of Landmark Attention's inference form (`landmarkRetrieval`, the
 * landmark scores, `topk` and the block gathers on the device), in this order: (0) at position
 * `longPast` and (1) at position `window` (the baseline of the ratio), then (2), (3) one query of
 * dense causal softmax attention over the whole past at the same two positions. Each run is one
 * step over caches of whole blocks (`⌈(past + 1)/64⌉·64` slots), its output read back.
 */
export async function landmarkDecodeContenders(
  weft: WeftDevice,
  options: { readonly longPast: number; readonly window: number },
): Promise<LongDecodeContender[]> {
  const period = BLOCK_SIZE + 1;
  const fill = (count: number, seed: number) =>
    Float32Array.from({ length: count }, (_, i) => Math.sin(seed * 7919 + i * 12.9898) * 0.5);
  const contender = async (label: string, past: number, retrieval: boolean): Promise<LongDecodeContender> => {
    const slots = retrieval ? Math.ceil((past + 1) / period) * period : past + 1;
    const query = input('q', [1, HEADS, 1, HEAD_DIM]);
    const key = input('k', [1, HEADS, slots, HEAD_DIM]);
    const value = input('v', [1, HEADS, slots, HEAD_DIM]);
    const output: Node = retrieval
      ? landmarkRetrieval(
          { query, key, value, position: input('position', [1], 'i32') },
          { blockSize: BLOCK_SIZE, topK: TOP_K },
        ).output
      : applyAttention(attention({ heads: HEADS, headDim: HEAD_DIM, mask: causal() }), { query, key, value })
          .output;
    const program = await compile(makeGraph({ output }), { device: weft, extensions: [attentionKernels] });
    const inputs = {
      q: fill(HEADS * HEAD_DIM, 1),
      k: fill(HEADS * slots * HEAD_DIM, 2),
      v: fill(HEADS * slots * HEAD_DIM, 3),
      ...(retrieval ? { position: Int32Array.of(past) } : {}),
    };
    return {
      label,
      slots,
      dispatches: program.stats.dispatchesPerRun,
      kernels: program.stats.perKernel.map((row) => row.label),
      run: async () => (await program.run(inputs)).output,
      destroy: () => program.destroy(),
    };
  };
  const { longPast, window } = options;
  const name = `landmark ℓ=${BLOCK_SIZE} top ${TOP_K}`;
  return [
    await contender(`${name} @ past ${longPast}`, longPast, true),
    await contender(`${name} @ past ${window}`, window, true),
    await contender(`dense causal @ past ${longPast}`, longPast, false),
    await contender(`dense causal @ past ${window}`, window, false),
  ];
}
