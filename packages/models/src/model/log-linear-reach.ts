import { SpecError } from '@weft/ir';
import { isLogLinearLayerSpec } from '../blocks/log-linear-attention-block.js';
import { layerBlockOptions } from '../blocks/stacks.js';
import type { DecoderLmDefinition } from './decoder-graph.js';

/**
 * A log-linear layer's Fenwick state serves its `maxSeq` positions; a windowed cache policy lets
 * the softmax layers go past `maxSeq`, which would drop the log-linear layers' oldest levels.
 */
export function checkLogLinearReach(definition: DecoderLmDefinition, maxLength: number): void {
  for (let layer = 0; layer < definition.layers; layer++) {
    const { attention } = layerBlockOptions(definition.block, layer);
    if (isLogLinearLayerSpec(attention) && maxLength > attention.maxSeq)
      throw new SpecError(
        `compileModel: layer ${layer} is log-linear attention, whose level states serve ${attention.maxSeq} positions; the cache policy reaches ${maxLength}`,
        {
          block: `layers.${layer}.attn`,
          dimension: 'cache.policy',
          expected: `a cache that holds at most ${attention.maxSeq} positions ("error")`,
          actual: maxLength,
        },
      );
  }
}
