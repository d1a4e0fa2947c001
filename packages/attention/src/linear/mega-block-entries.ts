import { type Graph, input, makeGraph } from '@weft/ir';
import type { AttentionCatalogEntry } from '../catalog/attention-catalog.js';
import { seededBlockParams } from '../catalog/seeded-block-params.js';
import { seeded, seededInRange } from '../catalog/seeded-values.js';
import { applyMegaBlock, type MegaBlockOptions, megaBlock, megaBlockStateInputs } from './mega-block.js';

const LENGTH = 24;
const WIDTH = 16;
const SIZES = { zDim: 8, hDim: 32, components: 8, chunkSize: 8 } as const;

function megaParams(graph: Graph, name: string): Record<string, Float32Array> {
  const params = seededBlockParams(graph);
  // EMA logits over ±2: dampings q = 1 − σ(δ)σ(α) from about 0.2 to 0.99.
  for (const [suffix, seed] of [
    ['ema.delta', 3],
    ['ema.alpha', 4],
  ] as const)
    params[`${name}.${suffix}`] = seededInRange(params[`${name}.${suffix}`]!.length, seed, -2, 2);
  return params;
}

/** One causal decode step after 23 positions: the EMA's h and a 23-position KV cache, seeded. */
const megaBlockDecodeEntry: AttentionCatalogEntry = {
  mechanism: 'mega-block-decode',
  paper: 70,
  build() {
    const name = 'mega-block-decode';
    const options = { ...SIZES, name, causal: true, maxPositions: LENGTH };
    const past = LENGTH - 1;
    const step = applyMegaBlock(input('x', [1, 1, WIDTH]), {
      ...options,
      state: megaBlockStateInputs(1, WIDTH, past, options),
    });
    const graph = makeGraph({
      output: step.output,
      [`${name}.ema`]: step.state!.ema,
      [`${name}.keys`]: step.state!.keys,
      [`${name}.values`]: step.state!.values,
    });
    return {
      graph,
      params: megaParams(graph, name),
      inputs: {
        x: seeded(WIDTH, 1),
        [`${name}.ema`]: seeded(WIDTH * SIZES.components, 2),
        [`${name}.keys`]: seeded(past * SIZES.zDim, 3),
        // Values are SiLU outputs: ≥ −0.28.
        [`${name}.values`]: seededInRange(past * SIZES.hDim, 4, -0.25, 1),
      },
      dims: {},
    };
  },
};

function megaBlockEntry(
  mechanism: string,
  options: Omit<MegaBlockOptions, 'name' | 'zDim' | 'hDim' | 'components' | 'chunkSize'>,
): AttentionCatalogEntry {
  return {
    mechanism,
    paper: 70,
    build() {
      const output = megaBlock(input('x', [1, LENGTH, WIDTH]), { ...SIZES, name: mechanism, ...options });
      const graph = makeGraph({ output });
      return {
        graph,
        params: megaParams(graph, mechanism),
        inputs: { x: seeded(LENGTH * WIDTH, 1) },
        dims: {},
      };
    },
  };
}

/**
 * Mega's moving-average gated attention block (paper 70) on 24 positions × width 16 (zDim 8,
 * hDim 32, 8 EMA components, chunks of 8): the encoder form (bidirectional EMA, softmax with the
 * relative-position bias), the decoder form (causal EMA and mask, laplace attention) and one
 * softmax decode step on a seeded EMA state and KV cache.
 */
export const MEGA_BLOCK_CATALOG: readonly AttentionCatalogEntry[] = [
  megaBlockEntry('mega-block', { bidirectional: true }),
  megaBlockEntry('mega-block-causal-laplace', { causal: true, attentionFunction: 'laplace' }),
  megaBlockDecodeEntry,
];
