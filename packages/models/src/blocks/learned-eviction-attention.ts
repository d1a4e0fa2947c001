import type { AttentionSpec } from '@weft/attention';
import { type Node, permute, reshape, withLabel } from '@weft/ir';
import type { KvCacheOptions } from './kv-cache.js';
import { linear } from './linear.js';
import { lteCacheAttention } from './lte-cache-attention.js';
import { lteRouterParameters } from './lte-router-step.js';
import { natsCacheAttention } from './nats-cache-attention.js';
import { childPath } from './parameter-path.js';
import type { RollingCacheInputs } from './rolling-cache-attention.js';
import type { CacheState } from './self-attention.js';

/** What {@link learnedEvictionAttention} builds: the attention output `[B, H, seq, dv]` and its states. */
export interface LearnedEvictionAttention {
  readonly output: Node;
  readonly states: readonly CacheState[];
}

/**
 * The attention of a decoder layer's step against a cache that evicts by the layer's own learned
 * scores, its weights model parameters under `name`:
 * - NAtS (`cache.nats`): the type logits z_j = W_type x_j of each KV head from the layer's input x
 *   `[B, seq, d]` (`${name}.nats.wType` `[d, 3·Hkv]`, columns `3·g + type`, no bias; the catalog's
 *   `W_type x_j` per head, with heads = KV heads since a cache evicts per KV head);
 * - LTE (`cache.lte`): the router over concat(k, v) of each KV head (`${name}.lte.conv1` …
 *   `.projection`, see `lteRouterParameters`), computed in the block from the step's keys and
 *   values and the router's context state.
 */
export function learnedEvictionAttention(
  x: Node,
  spec: AttentionSpec,
  inputs: RollingCacheInputs,
  cache: KvCacheOptions,
  name: string,
): LearnedEvictionAttention {
  if (cache.lte !== undefined) {
    const router = lteRouterParameters(childPath(name, 'lte'), spec.kvHeads, spec.headDim);
    const lte = { past: cache.past, lte: cache.lte };
    return lteCacheAttention(spec, { ...inputs, router }, lte, name);
  }
  const layout = cache.nats!;
  const kvHeads = spec.kvHeads;
  const typeLogits = withLabel(childPath(name, 'nats.types'), () => {
    const [batch, seq] = x.shape;
    const projected = linear(x, { outFeatures: 3 * kvHeads, weight: childPath(name, 'nats.wType') });
    return permute(reshape(projected, [batch!, seq!, kvHeads, 3]), [0, 2, 1, 3]);
  });
  return natsCacheAttention(spec, { ...inputs, typeLogits }, { past: cache.past, nats: layout }, name);
}
