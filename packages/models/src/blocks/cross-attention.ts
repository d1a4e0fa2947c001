import { type AttentionSpec, applyAttention } from '@weft/attention';
import { type Node, SpecError, withLabel } from '@weft/ir';
import { type AttentionParts, isAttentionSpec, resolveBlockAttention } from './attention-part.js';
import { mergeHeads, splitHeads } from './heads.js';
import { linear } from './linear.js';
import { childPath } from './parameter-path.js';
import { sliceAxis } from './slice-axis.js';
import { staticDimOf } from './static-dim.js';

/**
 * Options of {@link crossAttention}: the attention spec's parts (as `attention()` takes them, less
 * `name` and `outputs`; no mask by default, `causal: true` adds one) and captured `tensors`.
 */
export type CrossAttentionParts = AttentionParts & {
  /** Add `causal()` to the spec's mask. Default false. */
  readonly causal?: boolean;
  /** Tensors captured by the spec's score mods, masks or normalizer, by name. */
  readonly tensors?: Readonly<Record<string, Node>>;
};

/** What {@link crossAttention} takes: a spec value from `attention()` or its options. */
export type CrossAttentionOptions = AttentionSpec | CrossAttentionParts;

/**
 * Cross-attention (Vaswani et al.'s encoder-decoder attention): queries from `x` through
 * `${name}.wq` `[d, H·dk]`, keys and values from `memory` through one fused `${name}.wkv`
 * `[d_mem, Hkv·dk + Hv·dv]`, the spec's parts inside the attention op (no mask unless the spec
 * has one), output projection `${name}.wo` `[H·dv, d]`.
 *
 * Shapes: `x` `[B, S, d]`, `memory` `[B, M, d_mem]` → `[B, S, d]`. Nodes are labelled under
 * `name` like {@link selfAttention}'s (`${name}.q`, `${name}.kv`, `${name}.k`, `${name}.v`,
 * `${name}`, `${name}.out`).
 *
 * @example
 * ```ts
 * const decoderStates = input('decoderStates', [1, 8, 128]);
 * const encoderOutput = input('encoderOutput', [1, 12, 128]);
 * const y = crossAttention(decoderStates, encoderOutput, { heads: 4, headDim: 32 }, 'decoder.0.cross');
 * ```
 */
export function crossAttention(x: Node, memory: Node, options: CrossAttentionOptions, name: string): Node {
  return withLabel(name, () => buildCrossAttention(x, memory, options, name));
}

function buildCrossAttention(x: Node, memory: Node, options: CrossAttentionOptions, name: string): Node {
  const block = `cross-attention "${name}"`;
  for (const key of ['bias', 'outputBias']) {
    if (!isAttentionSpec(options) && typeof options === 'object' && options !== null && key in options) {
      throw new SpecError(`${block}: unknown option "${key}"`, {
        block: name,
        expected: 'no bias options in cross-attention',
        actual: key,
      });
    }
  }
  const part = <T>(suffix: string, build: () => T): T => withLabel(childPath(name, suffix), build);
  const width = staticDimOf(x, -1, `cross-attention "${name}"`);
  const { spec, tensors } = resolveBlockAttention(options, {
    block,
    path: name,
    where: '',
    causalByDefault: false,
  });
  const { heads, kvHeads, valueHeads, headDim, valueDim } = spec;
  const keyWidth = kvHeads * headDim;
  const valueWidth = valueHeads * valueDim;
  const query = part('q', () =>
    splitHeads(linear(x, { outFeatures: heads * headDim, weight: childPath(name, 'wq') }), heads, headDim),
  );
  const kv = part('kv', () =>
    linear(memory, { outFeatures: keyWidth + valueWidth, weight: childPath(name, 'wkv') }),
  );
  const last = memory.rank - 1;
  const key = part('k', () => splitHeads(sliceAxis(kv, last, 0, keyWidth), kvHeads, headDim));
  const value = part('v', () =>
    splitHeads(sliceAxis(kv, last, keyWidth, keyWidth + valueWidth), valueHeads, valueDim),
  );
  const inputs = { query, key, value, ...(Object.keys(tensors).length === 0 ? {} : { tensors }) };
  const { output } = applyAttention(spec, inputs);
  return part('out', () => linear(mergeHeads(output), { outFeatures: width, weight: childPath(name, 'wo') }));
}
