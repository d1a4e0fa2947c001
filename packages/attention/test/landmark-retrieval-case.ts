import { type Graph, input, makeGraph, type Node } from '@weft/ir';
import { compile, type Program } from '@weft/runtime';
import { seeded } from '../src/catalog/seeded-values.js';
import { attention } from '../src/kernels.js';
import { landmarkRetrieval } from '../src/landmark-retrieval.js';
import type { RetrievalSizes } from './dense-landmark-retrieval.js';

/** A decode step of `landmarkRetrieval` over seeded caches: its graph (output, selected) and values. */
export function retrievalCase(sizes: RetrievalSizes, seed: number) {
  const { batch, heads, kvHeads, slots, dim, valueDim, blockSize, topK } = sizes;
  const query = input('q', [batch, heads, 1, dim]);
  const key = input('k', [batch, kvHeads, slots, dim]);
  const value = input('v', [batch, kvHeads, slots, valueDim]);
  const position: Node = input('position', [batch], 'i32');
  const step = landmarkRetrieval({ query, key, value, position }, { blockSize, topK });
  const values = {
    q: seeded(batch * heads * dim, seed),
    k: seeded(batch * kvHeads * slots * dim, seed + 1),
    v: seeded(batch * kvHeads * slots * valueDim, seed + 2),
  };
  return { graph: makeGraph({ output: step.output, selected: step.selected }), values };
}

/** The retrieved blocks of head (b, h) as a sorted list (−1 entries dropped). */
export function selectedBlocks(
  data: ArrayLike<number>,
  sizes: RetrievalSizes,
  b: number,
  h: number,
): number[] {
  const kept = Math.min(sizes.topK, sizes.slots / (sizes.blockSize + 1));
  const start = (b * sizes.heads + h) * kept;
  return Array.from({ length: kept }, (_, i) => Number(data[start + i]))
    .filter((block) => block >= 0)
    .sort((x, y) => x - y);
}

/** Compiles a step once with the attention kernels, to run it at many positions. */
export function compileStep(device: GPUDevice, graph: Graph): Promise<Program> {
  return compile(graph, { device, extensions: [attention] });
}
