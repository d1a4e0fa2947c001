import { type AttentionSpec, causal, landmarkRetrieval, nope } from '@weft/attention';
import { full, gather, input, mapElements, type Node, SpecError, variable, withLabel } from '@weft/ir';
import { hoistAtCachePosition } from './cache-qk-hoist.js';
import { type LandmarkCacheLayout, landmarkSlotExpr, writeLandmarkStep } from './landmark-kv-cache.js';
import type { RollingCacheInputs } from './rolling-cache-attention.js';
import type { CacheState } from './self-attention.js';

/** What {@link landmarkCacheAttention} builds. */
export interface LandmarkCacheAttention {
  /** The attention output `[B, H, seq, dv]` (seq is 1: one token per step). */
  readonly output: Node;
  /** Retrieved block indices `[B, H, K]` i32 per query head, by score; −1 marks none. */
  readonly selected: Node;
  /** The key and value cache states. */
  readonly cache: { readonly key: CacheState; readonly value: CacheState };
  /** Every state: the keys and the values. */
  readonly states: readonly CacheState[];
}

/**
 * Attention of a one-token step against a landmark KV cache (see {@link LandmarkCacheLayout}).
 * QK norm and RoPE run before the kernel at the token's absolute position `past`. Under the
 * layout's `'exact'` positions each key is rotated once, when written (the paper's actual position
 * indices, its Appendix E); under `'stingy'` the cache holds keys before RoPE and the retrieval
 * rotates the current block at its own positions and the retrieved blocks in the prefix segment
 * the paper's reference code places them in (`landmarkRetrieval`'s `stingyRope`). The key and
 * value go to their slot; `landmarkRetrieval` of `@weft/attention` scores the
 * landmarks of the complete previous blocks, gathers the top `topK` blocks per query head with the
 * current block, and applies the grouped softmax (p^top over the retrieved landmarks and the current
 * block's tokens, times the softmax within each retrieved block). When the token opens a block, the
 * same write gives the block before it its landmark, the mean of its keys (a stand-in for the
 * trained landmark token; see `writeLandmarkStep`). State inputs `${name}.cache.key` `[B, Hkv, capacity, d]` and `${name}.cache.value`.
 *
 * `spec` must be a causal softmax spec with RoPE or no positions, no score mods, unweighted heads
 * and as many value heads as key heads.
 */
export function landmarkCacheAttention(
  spec: AttentionSpec,
  inputs: RollingCacheInputs,
  cache: { readonly past: Node; readonly landmark: LandmarkCacheLayout },
  name: string,
): LandmarkCacheAttention {
  checkLandmarkSpec(spec);
  const layout = cache.landmark;
  const { past } = cache;
  const hoisted = hoistAtCachePosition(spec, inputs, past, name);
  const stingy = layout.positions === 'stingy' && spec.positions.name === 'rope';
  // Stingy: the key after QK norm, before RoPE (the retrieval rotates it at every step).
  const rawKey = stingy
    ? hoistAtCachePosition({ ...spec, positions: nope() }, inputs, past, `${name}.raw`).inputs.key
    : hoisted.inputs.key;
  // A step holds one token: row 0 of the (symbolic, at most 1) step axis, as a static row.
  const row = (x: Node) => gather(x, full(0, [1], 'i32'), 2);
  const batch = inputs.key.shape[0] as number;
  const { kvHeads, headDim, valueDim } = spec;
  const keyState = input(`${name}.cache.key`, [batch, kvHeads, layout.capacity, headDim]);
  const valueState = input(`${name}.cache.value`, [batch, kvHeads, layout.capacity, valueDim]);
  const keys = withLabel(`${name}.cache.key`, () => writeLandmarkStep(keyState, row(rawKey), layout, past));
  const values = withLabel(`${name}.cache.value`, () =>
    writeLandmarkStep(valueState, row(hoisted.inputs.value), layout, past),
  );
  const position = mapElements([past], landmarkSlotExpr(variable('$0', 'i32'), layout.blockSize));
  const retrieved = landmarkRetrieval(
    { query: row(hoisted.inputs.query), key: keys, value: values, position },
    {
      blockSize: layout.blockSize,
      topK: layout.topK,
      name: spec.name,
      ...(stingy ? { stingyRope: spec.positions } : {}),
    },
  );
  // Back onto the step axis (its one row).
  const output = gather(retrieved.output, full(0, [inputs.query.shape[2]!], 'i32'), 2);
  const keyCache = { input: keyState, output: keys };
  const valueCache = { input: valueState, output: values };
  return {
    output,
    selected: retrieved.selected,
    cache: { key: keyCache, value: valueCache },
    states: [keyCache, valueCache],
  };
}

function checkLandmarkSpec(spec: AttentionSpec): void {
  const refuse = (what: string, expected: string, actual: string | number) => {
    throw new SpecError(`attention "${spec.name}": a landmark KV cache cannot hold ${what}`, {
      block: spec.name,
      expected,
      actual,
    });
  };
  if (spec.positions.name !== 'rope' && spec.positions.name !== 'nope')
    refuse('in-kernel positions (they read slot indices)', 'RoPE or no positions', spec.positions.name);
  if (spec.mask?.description !== causal().description)
    refuse('a mask other than causal()', 'causal()', spec.mask?.description ?? 'no mask');
  if (spec.normalizer.name !== 'softmax')
    refuse('another normalizer (its grouped softmax is a softmax)', 'softmax', spec.normalizer.name);
  if (spec.score.length > 0 || spec.scoreMap !== undefined)
    refuse(
      'score mods (retrieval scores q·k/√d)',
      'no score mods',
      spec.score.map((m) => m.description).join(', '),
    );
  if (spec.weightedHeads) refuse('weighted GQA', 'plain heads', 'weighted heads');
  if (spec.valueHeads !== spec.kvHeads)
    refuse('decoupled value heads', `${spec.kvHeads} value heads`, spec.valueHeads);
}
