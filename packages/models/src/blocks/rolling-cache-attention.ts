import {
  type AttentionSpec,
  applyAttention,
  attention,
  causal,
  SCORE,
  VARIABLE_NAMES,
} from '@weft/attention';
import { exprNodes, input, type Node, SpecError, withLabel } from '@weft/ir';
import { attentionOptionsOf } from './attention-part.js';
import { hoistAtCachePosition } from './cache-qk-hoist.js';
import type { KvCacheOptions } from './kv-cache.js';
import { type RollingCacheLayout, rollingCacheMask, writeToRollingCache } from './rolling-kv-cache.js';
import type { CacheState } from './self-attention.js';

/** What {@link rollingCacheAttention} builds. */
export interface RollingCacheAttention {
  /** The attention output `[B, H, seq, dv]`. */
  readonly output: Node;
  /** The key and value cache states. */
  readonly cache: { readonly key: CacheState; readonly value: CacheState };
}

/** The step's tensors that {@link rollingCacheAttention} reads. */
export interface RollingCacheInputs {
  /** Queries `[B, H, seq, dk]`, before QK norm and RoPE. */
  readonly query: Node;
  /** The step's keys `[B, Hkv, seq, dk]`, before QK norm and RoPE. */
  readonly key: Node;
  /** The step's values `[B, Hv, seq, dv]`. */
  readonly value: Node;
  /** Captured tensors of the spec. */
  readonly tensors: Readonly<Record<string, Node>>;
}

/**
 * Attention of a step against a rolling KV cache: QK norm and RoPE run before the kernel, at the
 * absolute positions `past + i` of the step's rows, so each key is rotated once, when it is
 * written; the prepared keys and the values go into their ring slots (state inputs
 * `${name}.cache.key|value`); the kernel runs the spec without positions, masked by
 * {@link rollingCacheMask} instead of `causal()`.
 *
 * `spec` must be a causal spec (its mask exactly `causal()`) with RoPE or no positions and score
 * mods that read no index: anything that reads key or query indices would see slots, not
 * positions. Throws a `SpecError` naming the block otherwise.
 */
export function rollingCacheAttention(
  spec: AttentionSpec,
  inputs: RollingCacheInputs,
  cache: KvCacheOptions & { readonly rolling: RollingCacheLayout },
  name: string,
): RollingCacheAttention {
  checkRollingCacheSpec(spec);
  const masked = attention({
    ...attentionOptionsOf(spec),
    mask: rollingCacheMask(cache.rolling),
    name: spec.name,
  });
  const hoisted = hoistAtCachePosition(masked, inputs, cache.past, name);
  const { key, value } = hoisted.inputs;
  const batch = key.shape[0]!;
  const slots = cache.rolling.capacity;
  const keyState = input(`${name}.cache.key`, [batch, key.shape[1]!, slots, key.shape[3]!]);
  const valueState = input(`${name}.cache.value`, [batch, value.shape[1]!, slots, value.shape[3]!]);
  const keys = withLabel(`${name}.cache.key`, () =>
    writeToRollingCache(keyState, key, cache.rolling, cache.past),
  );
  const values = withLabel(`${name}.cache.value`, () =>
    writeToRollingCache(valueState, value, cache.rolling, cache.past),
  );
  const { output } = applyAttention(
    hoisted.spec,
    { ...hoisted.inputs, key: keys, value: values },
    { qkTransforms: 'inKernel' },
  );
  return {
    output,
    cache: { key: { input: keyState, output: keys }, value: { input: valueState, output: values } },
  };
}

const INDEX_VARIABLES: readonly string[] = [
  VARIABLE_NAMES.q,
  VARIABLE_NAMES.k,
  VARIABLE_NAMES.queryLength,
  VARIABLE_NAMES.keyLength,
];

/** Refuses a spec whose kernel would read slot indices as positions (a `SpecError` naming the block). */
export function checkRollingCacheSpec(spec: AttentionSpec): void {
  const refuse = (what: string, actual: string) => {
    throw new SpecError(`attention "${spec.name}": a rolling KV cache cannot hold ${what}`, {
      block: spec.name,
      expected: 'a causal spec with RoPE or NoPE and index-free score mods',
      actual,
    });
  };
  if (spec.positions.name !== 'rope' && spec.positions.name !== 'nope') {
    refuse('in-kernel positions (they read slot indices)', spec.positions.name);
  }
  if (spec.mask?.description !== causal().description) {
    refuse('a mask other than causal() (it would read slot indices)', spec.mask?.description ?? 'no mask');
  }
  for (const mod of spec.score) {
    const reads = exprNodes(mod.apply(SCORE)).some(
      (node) => node.kind === 'var' && INDEX_VARIABLES.includes(String(node.payload)),
    );
    if (reads) refuse('a score mod that reads query or key indices', mod.description);
  }
}
