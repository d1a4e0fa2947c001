import {
  type AttentionOptions,
  type AttentionSpec,
  and,
  attention,
  causal,
  type Mask,
  weightedGqa,
} from '@weft/attention';
import { type Node, SpecError } from '@weft/ir';
import { checkExactOptions } from './exact-options.js';

/**
 * The parts of an attention variant in options form: the options of `attention()` from
 * `@weft/attention` (heads, kvHeads, valueHeads, headDim, valueDim, positions, qkNorm, score,
 * mask, scoreMap, normalizer), less `name` (a block names its attention after its own path) and `outputs`
 * (a block uses the attention output only).
 */
export type AttentionParts = Omit<AttentionOptions, 'name' | 'outputs'>;

/** What a self-attention block adds to the attention parts. */
export interface AttentionBlockSettings {
  /** Causal (decoder) or bidirectional (encoder): `causal()` is combined with the spec's mask by `and`. Default true. */
  readonly causal?: boolean;
  /** Learn a QKV bias `${name}.bqkv` (Qwen2, GPT-2). Default false. */
  readonly bias?: boolean;
  /** Learn a bias `${name}.bo` of the output projection (GPT-2, BERT, ViT, DiT; not Qwen2). Default false. */
  readonly outputBias?: boolean;
  /** Tensors captured by the spec's score mods, masks or normalizer (`tensorRef` names), by name. */
  readonly tensors?: Readonly<Record<string, Node>>;
}

/** A self-attention's parts and settings as one options object (the parts flat, as `attention()` takes them). */
export type SelfAttentionParts = AttentionParts & AttentionBlockSettings;

/**
 * What a block's attention slot takes: the value `attention({...})` returns (causal, no QKV bias),
 * or its options object with the block's settings beside them. Either way every part of the spec
 * reaches the attention op; the block renames the spec after its path and adds `causal()` (and
 * the KV-cache window) to its mask.
 */
export type BlockAttention = AttentionSpec | SelfAttentionParts;

/** The option names of {@link SelfAttentionParts}, for exactness checks. */
export const SELF_ATTENTION_PART_KEYS: readonly string[] = [
  'heads',
  'kvHeads',
  'valueHeads',
  'headDim',
  'valueDim',
  'positions',
  'qkNorm',
  'score',
  'mask',
  'scoreMap',
  'normalizer',
  'causal',
  'bias',
  'outputBias',
  'tensors',
];

/**
 * Whether a block's attention slot holds a spec value (rather than options).
 *
 * @example
 * ```ts
 * import { attention } from '@weft/attention';
 *
 * isAttentionSpec(attention({ heads: 4, headDim: 16 })); // true
 * isAttentionSpec({ heads: 4, headDim: 16 }); // false
 * ```
 */
export function isAttentionSpec(value: unknown): value is AttentionSpec {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'attention';
}

/**
 * The options of `attention()` that rebuild `spec` (for a block to rename it or add masks, or for
 * a caller to change a block setting of a spec value: `{ ...attentionOptionsOf(spec), causal: false }`).
 * Throws a `SpecError` for a spec with extra outputs, which a block would drop.
 *
 * @example
 * ```ts
 * import { attention, sigmoid } from '@weft/attention';
 *
 * const x = input('x', [1, 12, 64]);
 * const spec = attention({ heads: 4, headDim: 16, normalizer: sigmoid() });
 * const feedForward = { kind: 'gelu', hidden: 256 } as const;
 * encoderStack(x, 2, { attention: { ...attentionOptionsOf(spec), causal: false }, mlp: feedForward, norm: layerNormLayer() }, 'encoder');
 * ```
 */
export function attentionOptionsOf(spec: AttentionSpec, block = spec.name): AttentionParts {
  if (spec.outputs.logSumExp || spec.outputs.rowMax) {
    throw new SpecError(`attention "${block}": a block uses the attention output only`, {
      block,
      expected: 'no extra outputs (logSumExp, rowMax)',
      actual: JSON.stringify(spec.outputs),
    });
  }
  return {
    heads: spec.weightedHeads
      ? weightedGqa({ heads: spec.heads, kvHeads: spec.kvHeads, weights: 'learned' })
      : spec.heads,
    ...(spec.weightedHeads ? {} : { kvHeads: spec.kvHeads }),
    valueHeads: spec.valueHeads,
    headDim: spec.headDim,
    valueDim: spec.valueDim,
    positions: spec.positions,
    ...(spec.qkNorm === undefined ? {} : { qkNorm: spec.qkNorm }),
    ...(spec.score.length === 0 ? {} : { score: spec.score }),
    ...(spec.mask === undefined ? {} : { mask: spec.mask }),
    ...(spec.scoreMap === undefined ? {} : { scoreMap: spec.scoreMap }),
    normalizer: spec.normalizer,
  };
}

/** A block's attention slot, resolved: the spec named after the block and the block's settings. */
export interface ResolvedAttention {
  /** The spec the block applies (its mask includes the block's `causal()` and extra masks). */
  readonly spec: AttentionSpec;
  /** Learn a QKV bias. */
  readonly bias: boolean;
  /** Learn an output projection bias. */
  readonly outputBias: boolean;
  /** Captured tensors given by the caller. */
  readonly tensors: Readonly<Record<string, Node>>;
}

/** Options of {@link resolveBlockAttention}. */
export interface ResolveAttentionOptions {
  /** The builder and path for messages, e.g. `transformer block "layers.2"`. */
  readonly block: string;
  /** The attention's path (its spec's name), e.g. `layers.2.attn`. */
  readonly path: string;
  /** Where the slot sits in the block's options, e.g. `attention` (empty at the top level). */
  readonly where: string;
  /** Whether the block adds `causal()` by default (self-attention) or only the spec's mask (cross-attention). */
  readonly causalByDefault: boolean;
  /** Masks the block adds after the spec's own (the KV-cache window). */
  readonly extraMasks?: readonly Mask[];
}

/**
 * Resolves a block's attention slot: checks an options object exactly (an unknown key names the
 * block and the key), rebuilds the spec named `path` with `causal()`, the spec's mask and
 * `extraMasks` combined by `and` (in that order), and returns it with the block settings.
 */
export function resolveBlockAttention(
  part: BlockAttention,
  options: ResolveAttentionOptions,
): ResolvedAttention {
  const { block, path, where } = options;
  let parts: AttentionParts;
  let settings: AttentionBlockSettings = {};
  if (isAttentionSpec(part)) {
    parts = attentionOptionsOf(part, path);
  } else {
    checkExactOptions(block, path, part, SELF_ATTENTION_PART_KEYS, where);
    const { causal: isCausal, bias, outputBias, tensors, ...rest } = part;
    parts = rest;
    settings = {
      ...(isCausal === undefined ? {} : { causal: isCausal }),
      ...(bias === undefined ? {} : { bias }),
      ...(outputBias === undefined ? {} : { outputBias }),
      ...(tensors === undefined ? {} : { tensors }),
    };
  }
  for (const [key, value] of Object.entries(settings)) {
    const ok = key === 'tensors' ? typeof value === 'object' && value !== null : typeof value === 'boolean';
    if (!ok) {
      throw new SpecError(
        `${block}: option "${key}"${where === '' ? '' : ` in ${where}`} has the wrong type`,
        {
          block: path,
          expected: key === 'tensors' ? 'a record of nodes' : 'a boolean',
          actual: typeof value,
        },
      );
    }
  }
  const isCausal = settings.causal ?? options.causalByDefault;
  const masks = [
    ...(isCausal ? [causal()] : []),
    ...(parts.mask === undefined ? [] : [parts.mask]),
    ...(options.extraMasks ?? []),
  ];
  const { mask: _ignored, ...unmasked } = parts;
  const spec = attention({ ...unmasked, ...(masks.length === 0 ? {} : { mask: and(...masks) }), name: path });
  return {
    spec,
    bias: settings.bias ?? false,
    outputBias: settings.outputBias ?? false,
    tensors: settings.tensors ?? {},
  };
}
