import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * Learnable token eviction (LTE): a router of three grouped convolutions (kernel 3, SiLU, channels
 * halving) and a 1×1 projection over concat(k, v) of each KV head scores every key; keys with
 * sigmoid(c) − 0.5 > 0 and the first 4 stay visible for ever, the others only inside the sliding
 * window. The router and the lifetimes are graph ops on the device before the attention kernel.
 *
 * Catalog paper 82: Hybrid sparse attention + contextualized Learnable Token Eviction (He & Garner).
 *
 * @example
 * ```ts
 * const logits = lteRouterLogits(key, value, routerWeights); // [1, 2, 128]
 * const lastQuery = tensorRef('lastQuery', [1, 2, 128], 'i32');
 * const spec = attention({ heads: 2, headDim: 16, mask: and(causal(), keyLifetime(lastQuery)) });
 * const { output } = applyAttention(spec, { query, key, value, tensors: { lastQuery: lteKeyLifetimes(logits, { window: 16, sinks: 4 }) } });
 * ```
 */
export const learnableTokenEvictionEntry = attentionZooEntry({
  id: 'learnable-token-eviction',
  mechanism: 'learnable-token-eviction',
  paper: {
    id: 82,
    title: 'Hybrid sparse attention + contextualized Learnable Token Eviction (He & Garner)',
    group: 'G6',
  },
  description:
    'LTE: a conv router over concat(k, v) per KV head keeps keys with sigmoid(c) − 0.5 > 0 (58 of 256) plus 4 sinks beyond a window of 16, causal, 2 heads × 128 positions × dim 16.',
  tolerance: DEFAULT_TOLERANCE,
});
