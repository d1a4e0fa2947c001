import { type Node, SpecError, withLabel } from '@weft/ir';
import { sphericalResidual } from '@weft/norms';
import { type CrossAttentionOptions, crossAttention } from './cross-attention.js';
import type { KvCacheOptions } from './kv-cache.js';
import { type MlpOptions, mlp } from './mlp.js';
import { type NormLayerOptions, normLayer } from './norm-layer.js';
import { childPath } from './parameter-path.js';
import { type ResidualKind, residualBranch, type Sublayer } from './residual.js';
import { type CacheState, type SelfAttentionOptions, selfAttention } from './self-attention.js';

/**
 * Where a block normalizes, as a value:
 * - `pre` (GPT-2, Llama): `x + F(norm(x))`;
 * - `post` (original Transformer, BERT): `norm(x + F(x))`;
 * - `sandwich` (hybrid norm, as in CogView, Gemma 2 and the sigmoid-attention paper): `x + norm'(F(norm(x)))`.
 */
export type NormPlacement = 'pre' | 'post' | 'sandwich';

/** A block's normalization: a norm layer and its placement, or nGPT's hypersphere. */
export type BlockNorm =
  | (NormLayerOptions & {
      /** Where the norms sit. Default `pre`. */
      readonly placement?: NormPlacement;
    })
  | {
      /**
       * nGPT (Loshchilov et al. 2024): the stream stays on the unit sphere and each sublayer is a
       * spherical step `h ← norm(h + |α| ⊙ (norm(F(h)) − h))` with learned `${name}.attnAlpha`,
       * `${name}.mlpAlpha` (`[d]`). The input must already be unit-norm.
       */
      readonly kind: 'hypersphere';
      /** nGPT's α reparametrization scale (`alpha_init / alpha_scaling`). Default 1. */
      readonly alphaScale?: number;
    };

/** Options of {@link transformerBlock}. */
export interface TransformerBlockOptions {
  /** Self-attention (causal by default). */
  readonly attention: Omit<SelfAttentionOptions, 'cache'>;
  /** Feed-forward block. */
  readonly mlp: MlpOptions;
  /** Normalization and its placement. */
  readonly norm: BlockNorm;
  /** How sublayers join the stream (pre-norm only for `adaLnZero`). Default `add`. */
  readonly residual?: ResidualKind;
  /** Decode against a KV cache (persistent state inputs of the attention). */
  readonly cache?: KvCacheOptions;
  /** Cross-attention to an encoder's output between self-attention and the MLP (encoder-decoder models). */
  readonly crossAttention?: CrossAttentionOptions & {
    /** The encoder output `[B, M, d_mem]`. */
    readonly memory: Node;
  };
}

/** What {@link transformerBlock} returns. */
export interface TransformerBlockResult {
  /** The block output, same shape as its input. */
  readonly output: Node;
  /** The KV cache states, when decoding with a cache. */
  readonly cache?: { readonly key: CacheState; readonly value: CacheState };
}

/**
 * A transformer block: self-attention, optional cross-attention and an MLP, each a residual
 * sublayer with the chosen norm placement and residual rule. Parameter names sit under `name`:
 * `${name}.attn.*`, `${name}.mlp.*`, `${name}.attnNorm`, `${name}.mlpNorm` (sandwich adds
 * `${name}.attnPostNorm`, `${name}.mlpPostNorm`; cross-attention `${name}.cross.*`, `${name}.crossNorm`).
 * Its nodes are labelled the same way (`${name}.attn.q`, `${name}.mlp.down`, `${name}.attnNorm`, ...).
 *
 * Shapes: `x` `[B, S, d]` → `[B, S, d]`.
 *
 * @example
 * ```ts
 * const { output } = transformerBlock(x, {
 *   attention: { heads: 8, kvHeads: 2, headDim: 16, positions: rope() },
 *   mlp: { kind: 'swiglu', hidden: 344 },
 *   norm: { kind: 'rmsnorm', eps: 1e-6, placement: 'pre' },
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

function buildTransformerBlock(
  x: Node,
  options: TransformerBlockOptions,
  name: string,
): TransformerBlockResult {
  let cache: TransformerBlockResult['cache'];
  const attend: Sublayer = (normalized) => {
    const result = selfAttention(
      normalized,
      { ...options.attention, ...(options.cache === undefined ? {} : { cache: options.cache }) },
      childPath(name, 'attn'),
    );
    cache = result.cache;
    return result.output;
  };
  const sublayers: [string, Sublayer][] = [['attn', attend]];
  const cross = options.crossAttention;
  if (cross !== undefined)
    sublayers.push([
      'cross',
      (normalized) => crossAttention(normalized, cross.memory, cross, childPath(name, 'cross')),
    ]);
  sublayers.push(['mlp', (normalized) => mlp(normalized, options.mlp, childPath(name, 'mlp'))]);

  let stream = x;
  for (const [part, sublayer] of sublayers) stream = applySublayer(stream, sublayer, part, options, name);
  return cache === undefined ? { output: stream } : { output: stream, cache };
}

function applySublayer(
  x: Node,
  sublayer: Sublayer,
  part: string,
  options: TransformerBlockOptions,
  name: string,
): Node {
  const { norm } = options;
  const residual = options.residual ?? { kind: 'add' };
  if (norm.kind === 'hypersphere') {
    requirePlainResidual(residual, 'the hypersphere norm', name);
    return sphericalResidual(x, sublayer(x), {
      name: childPath(name, `${part}Alpha`),
      alphaScale: norm.alphaScale ?? 1,
    });
  }
  const normalize = (suffix: string) => (value: Node) =>
    normLayer(value, norm, childPath(name, `${part}${suffix}`));
  const placement = norm.placement ?? 'pre';
  const residualName = childPath(name, `${part}Residual`);
  if (placement === 'post') {
    requirePlainResidual(residual, 'post-norm', name);
    return normalize('Norm')(
      residualBranch(x, sublayer, { residual, norm: (value) => value, name: residualName }),
    );
  }
  const branch: Sublayer =
    placement === 'sandwich' ? (value) => normalize('PostNorm')(sublayer(value)) : sublayer;
  return residualBranch(x, branch, { residual, norm: normalize('Norm'), name: residualName });
}

function requirePlainResidual(residual: ResidualKind, placement: string, name: string): void {
  if (residual.kind === 'adaLnZero') {
    throw new SpecError(`transformer block "${name}": adaLnZero residuals need pre-norm, not ${placement}`, {
      block: name,
      expected: "norm placement 'pre' or 'sandwich'",
      actual: placement,
    });
  }
}
