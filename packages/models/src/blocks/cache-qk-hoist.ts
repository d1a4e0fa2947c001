import { type AttentionSpec, type HoistedAttention, hoistQkTransforms } from '@weft/attention';
import { type Node, withLabel } from '@weft/ir';
import { PAST_TENSOR } from './kv-cache.js';
import type { RollingCacheInputs } from './rolling-cache-attention.js';

/**
 * QK norm and RoPE of a cached attention's new rows, run before the kernel at their absolute
 * positions after `past` cached tokens (each key rotated once, when written), with `past` bound as
 * the spec's `PAST_TENSOR`; labelled `${name}.qk`. The rolling and heavy-hitter caches share it.
 */
export function hoistAtCachePosition(
  spec: AttentionSpec,
  inputs: RollingCacheInputs,
  past: Node,
  name: string,
): HoistedAttention {
  const tensors = { ...inputs.tensors, [PAST_TENSOR]: past };
  return withLabel(`${name}.qk`, () =>
    hoistQkTransforms(
      spec,
      { query: inputs.query, key: inputs.key, value: inputs.value, tensors },
      { positionOffset: past },
    ),
  );
}
