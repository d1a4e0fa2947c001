import { input, makeGraph } from '@weft/ir';
import type { AttentionCatalogEntry } from '../catalog/attention-catalog.js';
import { seededBlockParams } from '../catalog/seeded-block-params.js';
import { seeded, seededInRange } from '../catalog/seeded-values.js';
import { type MegaBlockOptions, megaBlock } from './mega-block.js';

const LENGTH = 24;
const WIDTH = 16;

function megaBlockEntry(
  mechanism: string,
  options: Omit<MegaBlockOptions, 'name' | 'zDim' | 'hDim' | 'components' | 'chunkSize'>,
): AttentionCatalogEntry {
  return {
    mechanism,
    paper: 70,
    build() {
      const output = megaBlock(input('x', [1, LENGTH, WIDTH]), {
        name: mechanism,
        zDim: 8,
        hDim: 32,
        components: 8,
        chunkSize: 8,
        ...options,
      });
      const graph = makeGraph({ output });
      const params = seededBlockParams(graph);
      // EMA logits over ±2: dampings q = 1 − σ(δ)σ(α) from about 0.2 to 0.99.
      for (const [suffix, seed] of [
        ['ema.delta', 3],
        ['ema.alpha', 4],
      ] as const) {
        const name = `${mechanism}.${suffix}`;
        params[name] = seededInRange(params[name]!.length, seed, -2, 2);
      }
      return { graph, params, inputs: { x: seeded(LENGTH * WIDTH, 1) }, dims: {} };
    },
  };
}

/**
 * Mega's moving-average gated attention block (paper 70) on 24 positions × width 16 (zDim 8,
 * hDim 32, 8 EMA components, chunks of 8): the encoder form (bidirectional EMA, softmax with the
 * relative-position bias) and the decoder form (causal EMA and mask, laplace attention).
 */
export const MEGA_BLOCK_CATALOG: readonly AttentionCatalogEntry[] = [
  megaBlockEntry('mega-block', { bidirectional: true }),
  megaBlockEntry('mega-block-causal-laplace', { causal: true, attentionFunction: 'laplace' }),
];
