import { type Node, SpecError, withLabel } from '@weft/ir';
import { sphericalResidual } from '@weft/norms';
import { SELF_ATTENTION_PART_KEYS } from './attention-part.js';
import { type BlockNorm, type ResolvedBlockNorm, resolveBlockNorm } from './block-norm.js';
import { type CrossAttentionOptions, type CrossAttentionParts, crossAttention } from './cross-attention.js';
import { checkExactOptions } from './exact-options.js';
import type { KvCacheOptions } from './kv-cache.js';
import { isMegaLayerSpec, megaLayerBlock } from './mega-layer.js';
import { MLP_OPTIONS, type MlpOptions, mlp } from './mlp.js';
import { childPath } from './parameter-path.js';
import { type ResidualKind, residualBranch, type Sublayer } from './residual.js';
import { type BlockSelfAttention, type CacheState, selfAttentionWithCache } from './self-attention.js';

/**
 * A transformer block's cross-attention: the encoder output `memory` and the attention, either
 * flat (`{ memory, heads, headDim, ... }`) or as `{ memory, attention }` with a spec value or options.
 */
export type BlockCrossAttention =
  | (CrossAttentionParts & {
      /** The encoder output `[B, M, d_mem]`. */
      readonly memory: Node;
    })
  | {
      /** The encoder output `[B, M, d_mem]`. */
      readonly memory: Node;
      /** The attention: a spec value from `attention()` or its options. */
      readonly attention: CrossAttentionOptions;
    };

/** Options of {@link transformerBlock}. Exact: an unknown key is a type error and a `SpecError`. */
export interface TransformerBlockOptions {
  /**
   * Self-attention (causal unless `causal: false`): the value `attention({...})` of
   * `@weft/attention` returns, or its options with the block settings `causal`, `bias`, `tensors`;
   * or a causal `linearAttention({...})` spec of `@weft/attention/linear` (its decode state is S and z),
   * or `megaLayer({...})`: Mega's block in place of the attention sublayer and its residual
   * (parameters `${name}.mega.*`; its decode state is the EMA's h and its head's keys and values).
   */
  readonly attention: BlockSelfAttention;
  /** Feed-forward block. */
  readonly mlp: MlpOptions;
  /** Normalization and its placement: a norm layer, `{ layer, placement }`, legacy options or the hypersphere. */
  readonly norm: BlockNorm;
  /** How sublayers join the stream (pre-norm only for `adaLnZero`). Default `add`. */
  readonly residual?: ResidualKind;
  /** Decode against a KV cache (persistent state inputs of the attention). */
  readonly cache?: KvCacheOptions;
  /** Cross-attention to an encoder's output between self-attention and the MLP (encoder-decoder models). */
  readonly crossAttention?: BlockCrossAttention;
  /**
   * The conditioning input of conditional norm layers (`adaptiveLayerNorm()`: `[B, d_c]`,
   * `taskLayerNormLayer()`: `[B]` i32) and the default condition of an `adaLnZero` residual.
   */
  readonly condition?: Node;
}

/** What {@link transformerBlock} returns. */
export interface TransformerBlockResult {
  /** The block output, same shape as its input. */
  readonly output: Node;
  /** The KV cache states, when decoding with a cache (softmax attention). */
  readonly cache?: { readonly key: CacheState; readonly value: CacheState };
  /** Every persistent tensor of the step (KV caches or a linear layer's S and z), when decoding with a cache. */
  readonly states?: readonly CacheState[];
}

const BLOCK_OPTIONS = ['attention', 'mlp', 'norm', 'residual', 'cache', 'crossAttention', 'condition'];

/**
 * A transformer block: self-attention, optional cross-attention and an MLP, each a residual
 * sublayer with the chosen norm placement and residual rule. Parameter names sit under `name`:
 * `${name}.attn.*`, `${name}.mlp.*`, `${name}.attnNorm`, `${name}.mlpNorm` (sandwich adds
 * `${name}.attnPostNorm`, `${name}.mlpPostNorm`; cross-attention `${name}.cross.*`, `${name}.crossNorm`).
 * Its nodes are labelled the same way (`${name}.attn.q`, `${name}.mlp.down`, `${name}.attnNorm`, ...).
 *
 * Every option is used or refused: an unknown key anywhere in the options (`normaliser` for
 * `normalizer`) throws a `SpecError` naming the key and the block.
 *
 * Shapes: `x` `[B, S, d]` → `[B, S, d]`.
 *
 * @example
 * ```ts
 * import { attention, rope, softcap } from '@weft/attention';
 *
 * const x = input('x', [1, 16, 128]);
 * const { output } = transformerBlock(x, {
 *   attention: attention({ heads: 8, kvHeads: 2, headDim: 16, positions: rope(), score: softcap(50) }),
 *   mlp: { kind: 'swiglu', hidden: 344 },
 *   norm: { layer: rmsNormLayer({ eps: 1e-6 }), placement: 'pre' },
 * }, 'layers.0');
 * ```
 */
export function transformerBlock(
  x: Node,
  options: TransformerBlockOptions,
  name: string,
): TransformerBlockResult {
  return withLabel(name, () => buildTransformerBlock(x, options, name));
}

/** The builder and path that a block's errors start with: `transformer block "layers.2"`. */
function blockLabel(name: string): string {
  return `transformer block "${name}"`;
}

function buildTransformerBlock(
  x: Node,
  options: TransformerBlockOptions,
  name: string,
): TransformerBlockResult {
  const block = blockLabel(name);
  checkExactOptions(block, name, options, BLOCK_OPTIONS);
  if (typeof options.attention === 'function') {
    throw new SpecError(`${block}: attention as a function of the layer is for stacks (transformerStack)`, {
      block: name,
      expected: 'an attention spec or its options',
      actual: 'a function',
    });
  }
  if (options.attention === undefined || options.mlp === undefined || options.norm === undefined) {
    const missing = (['attention', 'mlp', 'norm'] as const).find((key) => options[key] === undefined)!;
    throw new SpecError(`${block}: option "${missing}" is missing`, { block: name, expected: missing });
  }
  checkExactOptions(block, name, options.mlp, MLP_OPTIONS, 'mlp');
  const norm = resolveBlockNorm(options.norm, block, name);
  const residual = resolveResidual(options, block, name);
  let cache: TransformerBlockResult['cache'];
  let states: TransformerBlockResult['states'];
  const attend: Sublayer = (normalized) => {
    const result = selfAttentionWithCache(
      normalized,
      options.attention,
      options.cache,
      childPath(name, 'attn'),
      'attention',
      block,
    );
    cache = result.cache;
    states = result.states;
    return result.output;
  };
  const mega = isMegaLayerSpec(options.attention) ? options.attention : undefined;
  const sublayers: [string, Sublayer][] = mega === undefined ? [['attn', attend]] : [];
  const cross = options.crossAttention;
  if (cross !== undefined) {
    const { memory, attention } = splitCrossAttention(cross, block, name);
    sublayers.push([
      'cross',
      (normalized) => crossAttention(normalized, memory, attention, childPath(name, 'cross')),
    ]);
  }
  sublayers.push(['mlp', (normalized) => mlp(normalized, options.mlp, childPath(name, 'mlp'))]);

  let stream = x;
  if (mega !== undefined) {
    // Mega's block has its own pre-LayerNorm and gated residual: it takes the stream as is.
    const result = megaLayerBlock(x, mega, options.cache, childPath(name, 'mega'), block);
    stream = result.output;
    states = result.states;
  }
  for (const [part, sublayer] of sublayers)
    stream = applySublayer(stream, sublayer, part, { norm, residual, condition: options.condition }, name);
  return {
    output: stream,
    ...(cache === undefined ? {} : { cache }),
    ...(states === undefined ? {} : { states }),
  };
}

function resolveResidual(options: TransformerBlockOptions, block: string, name: string): ResidualKind {
  const residual = options.residual ?? { kind: 'add' };
  const allowed = residual.kind === 'adaLnZero' ? ['kind', 'condition'] : ['kind'];
  checkExactOptions(block, name, residual, allowed, 'residual');
  if (!['add', 'layerScale', 'adaLnZero'].includes(residual.kind)) {
    throw new SpecError(`${block}: unknown residual kind`, {
      block: name,
      expected: "'add' | 'layerScale' | 'adaLnZero'",
      actual: String(residual.kind),
    });
  }
  if (residual.kind !== 'adaLnZero') return residual;
  const condition = residual.condition ?? options.condition;
  if (condition === undefined) {
    throw new SpecError(`${block}: the adaLnZero residual needs a condition`, {
      block: name,
      tensor: 'condition',
      expected: "residual.condition or the block's condition, [B, d_c]",
      actual: 'none',
    });
  }
  return { kind: 'adaLnZero', condition };
}

function splitCrossAttention(
  cross: BlockCrossAttention,
  block: string,
  name: string,
): { memory: Node; attention: CrossAttentionOptions } {
  if ('attention' in cross) {
    checkExactOptions(block, name, cross, ['memory', 'attention'], 'crossAttention');
    return cross;
  }
  const allowed = [
    ...SELF_ATTENTION_PART_KEYS.filter((key) => key !== 'bias' && key !== 'outputBias'),
    'memory',
  ];
  checkExactOptions(block, name, cross, allowed, 'crossAttention');
  const { memory, ...attention } = cross;
  return { memory, attention };
}

interface SublayerContext {
  readonly norm: ResolvedBlockNorm;
  readonly residual: ResidualKind;
  readonly condition: Node | undefined;
}

function applySublayer(
  x: Node,
  sublayer: Sublayer,
  part: string,
  context: SublayerContext,
  name: string,
): Node {
  const { norm, residual, condition } = context;
  if (norm.kind === 'hypersphere') {
    requirePlainResidual(residual, 'the hypersphere norm', name);
    return sphericalResidual(x, sublayer(x), {
      name: childPath(name, `${part}Alpha`),
      alphaScale: norm.alphaScale,
    });
  }
  const normalize = (suffix: string) => (value: Node) => {
    const path = childPath(name, `${part}${suffix}`);
    if (norm.layer.conditioned && condition === undefined) {
      throw new SpecError(`${blockLabel(name)}: norm layer ${norm.layer.name} needs the option "condition"`, {
        block: name,
        tensor: 'condition',
        expected: 'a conditioning input node',
        actual: 'none',
      });
    }
    return withLabel(path, () => norm.layer.apply(value, path, condition));
  };
  const residualName = childPath(name, `${part}Residual`);
  if (norm.placement === 'post') {
    requirePlainResidual(residual, 'post-norm', name);
    return normalize('Norm')(
      residualBranch(x, sublayer, { residual, norm: (value) => value, name: residualName }),
    );
  }
  const branch: Sublayer =
    norm.placement === 'sandwich' ? (value) => normalize('PostNorm')(sublayer(value)) : sublayer;
  return residualBranch(x, branch, { residual, norm: normalize('Norm'), name: residualName });
}

function requirePlainResidual(residual: ResidualKind, placement: string, name: string): void {
  if (residual.kind === 'adaLnZero') {
    throw new SpecError(`${blockLabel(name)}: adaLnZero residuals need pre-norm, not ${placement}`, {
      block: name,
      expected: "norm placement 'pre' or 'sandwich'",
      actual: placement,
    });
  }
}
