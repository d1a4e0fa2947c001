import {
  fenwickLevelCount,
  logLinearAttention,
  logLinearChunkStep,
  logLinearDecodeStep,
  logLinearGates,
  logLinearStateInputs,
} from '@weft/attention/linear';
import {
  constant,
  dimExpr,
  full,
  gather,
  isSymbolic,
  mapElements,
  maxDim,
  type Node,
  reshape,
  SpecError,
  variable,
  withLabel,
} from '@weft/ir';
import { mergeHeads, splitHeads } from './heads.js';
import type { KvCacheOptions } from './kv-cache.js';
import { linear } from './linear.js';
import type { LinearSelfAttentionResult } from './linear-attention-block.js';
import { childPath } from './parameter-path.js';
import type { CacheState } from './self-attention.js';
import { sliceAxis } from './slice-axis.js';
import { staticDimOf } from './static-dim.js';

/** A decoder layer of log-linear attention (see {@link logLinearLayer}). */
export interface LogLinearLayerSpec {
  /** Discriminates the layer from softmax and linear-attention specs. */
  readonly kind: 'log-linear-attention';
  /** Attention heads. */
  readonly heads: number;
  /** Width of each query/key head. */
  readonly headDim: number;
  /** Width of each value head. */
  readonly valueDim: number;
  /** Longest sequence the layer serves: its Fenwick levels are ⌈log2 maxSeq⌉ + 1. */
  readonly maxSeq: number;
  /** Positions per chunk of the forward pass's chunked form (a power of two in [1, 64]). */
  readonly chunkSize: number;
}

/** Options of {@link logLinearLayer}. */
export interface LogLinearLayerOptions {
  /** Attention heads. */
  readonly heads: number;
  /** Width of each query/key head. */
  readonly headDim: number;
  /** Width of each value head; default `headDim`. */
  readonly valueDim?: number;
  /** Longest sequence the layer serves (the model's `maxSeq`). */
  readonly maxSeq: number;
  /** Positions per chunk of the forward pass (a power of two in [1, 64]); default 16. */
  readonly chunkSize?: number;
}

/**
 * A causal log-linear attention layer (Guo et al. 2025, catalog paper 109; the Mamba-2 instance of
 * `logLinearAttention` in `@weft/attention/linear`) for a decoder block's attention slot. Its
 * level count follows `maxSeq`: ⌈log2 maxSeq⌉ + 1 level weights per head and position.
 *
 * @example
 * ```ts
 * const layer = logLinearLayer({ heads: 4, headDim: 8, maxSeq: 16 });
 * const block = { attention: layer, mlp: { kind: 'swiglu', hidden: 48 }, norm: rmsNormLayer() } as const;
 * ```
 * @throws SpecError naming the option when a size is not a positive integer or the chunk size is
 *   not a power of two in [1, 64].
 */
export function logLinearLayer(options: LogLinearLayerOptions): LogLinearLayerSpec {
  const valueDim = options.valueDim ?? options.headDim;
  const chunkSize = options.chunkSize ?? 16;
  const sizes = { heads: options.heads, headDim: options.headDim, valueDim, maxSeq: options.maxSeq };
  for (const [key, value] of Object.entries(sizes))
    if (!(Number.isSafeInteger(value) && value >= 1))
      throw new SpecError(`log-linear layer: ${key} must be a positive integer`, {
        block: 'log-linear layer',
        dimension: key,
        expected: 'an integer >= 1',
        actual: value,
      });
  if (!(Number.isInteger(Math.log2(chunkSize)) && chunkSize >= 1 && chunkSize <= 64))
    throw new SpecError('log-linear layer: chunkSize must be a power of two in [1, 64]', {
      block: 'log-linear layer',
      dimension: 'chunkSize',
      expected: '1, 2, 4, … 64',
      actual: chunkSize,
    });
  return { kind: 'log-linear-attention', ...sizes, chunkSize };
}

/**
 * Whether a block's attention slot holds a log-linear layer ({@link logLinearLayer}).
 *
 * @example
 * ```ts
 * isLogLinearLayerSpec(logLinearLayer({ heads: 4, headDim: 8, maxSeq: 16 })); // true
 * ```
 */
export function isLogLinearLayerSpec(value: unknown): value is LogLinearLayerSpec {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'log-linear-attention'
  );
}

/**
 * Self-attention through a log-linear layer: the fused projection `${name}.wqkv`
 * `[d, 2·H·dk + H·dv]` (query, key, value columns), the gate projection `${name}.wgates`
 * `[d, H + H·L]` (per head the decay logit, then L level logits; a = −softplus, λ = softplus as
 * `logLinearGates`), heads, log-linear attention, and `${name}.wo` `[H·dv, d]`. Without `cache`
 * the positions run through the chunked form (a symbolic sequence padded to its maximum: the
 * layer is causal, so padding after the real positions changes none of their outputs). With
 * `cache`, the layer keeps its Fenwick state instead of keys and values: `${name}.cache.levels`
 * `[B, H, L − 1, dk, dv]` and `${name}.cache.position` `[1]` (f32), read and replaced by each step
 * (`logLinearChunkStep` over the step's tokens, padded to the step's maximum; `logLinearDecodeStep`
 * when a step holds one token at most).
 *
 * @example
 * ```ts
 * const x = input('x', [1, 8, 32]);
 * const { output } = logLinearSelfAttention(x, logLinearLayer({ heads: 4, headDim: 8, maxSeq: 8 }), undefined, 'layers.0.attn', 'block "layers.0"');
 * ```
 * @throws SpecError naming the block when the sequence is longer than the layer's `maxSeq`.
 */
export function logLinearSelfAttention(
  x: Node,
  spec: LogLinearLayerSpec,
  cache: KvCacheOptions | undefined,
  name: string,
  block: string,
): LinearSelfAttentionResult {
  const width = staticDimOf(x, -1, `attention "${name}"`);
  const batch = staticDimOf(x, 0, `attention "${name}"`);
  const sequence = x.shape[1]!;
  const length = maxDim(sequence);
  if (length > spec.maxSeq)
    throw new SpecError(`${block}: ${length} positions exceed the log-linear layer's maxSeq ${spec.maxSeq}`, {
      block: name,
      dimension: 'maxSeq',
      expected: `at most ${spec.maxSeq} positions`,
      actual: length,
    });
  const { heads, headDim, valueDim } = spec;
  const levels = fenwickLevelCount(spec.maxSeq);
  const part = <T>(suffix: string, build: () => T): T => withLabel(childPath(name, suffix), build);
  // A symbolic sequence is gathered into `length` static rows (the last real row repeated).
  const rows = isSymbolic(sequence)
    ? part('rows', () => gather(x, rowIndices(length, dimExpr(sequence).sub(constant(1, 'i32'))), 1))
    : x;
  const keyWidth = heads * headDim;
  const qkv = part('qkv', () =>
    linear(rows, { outFeatures: 2 * keyWidth + heads * valueDim, weight: childPath(name, 'wqkv') }),
  );
  const gateLogits = part('gates', () =>
    linear(rows, { outFeatures: heads * (1 + levels), weight: childPath(name, 'wgates') }),
  );
  const last = 2;
  const query = part('q', () => splitHeads(sliceAxis(qkv, last, 0, keyWidth), heads, headDim));
  const key = part('k', () => splitHeads(sliceAxis(qkv, last, keyWidth, 2 * keyWidth), heads, headDim));
  const value = part('v', () =>
    splitHeads(sliceAxis(qkv, last, 2 * keyWidth, 2 * keyWidth + heads * valueDim), heads, valueDim),
  );
  const { levelWeights, logDecay } = logLinearGates(
    splitHeads(sliceAxis(gateLogits, last, heads, heads * (1 + levels)), heads, levels),
    reshape(splitHeads(sliceAxis(gateLogits, last, 0, heads), heads, 1), [batch, heads, length]),
  );
  const project = (attended: Node) => {
    const projected = part('out', () =>
      linear(mergeHeads(attended), { outFeatures: width, weight: childPath(name, 'wo') }),
    );
    if (!isSymbolic(sequence)) return projected;
    // Back to the symbolic rows: row i of the static rows.
    const back = mapElements([full(0, [sequence], 'i32')], variable('i0', 'i32'));
    return part('rows.back', () => gather(projected, back, 1));
  };
  if (cache === undefined) {
    const { output } = logLinearAttention(query, key, value, levelWeights, {
      name,
      logDecay,
      chunkSize: spec.chunkSize,
    });
    return { output: project(output) };
  }
  const state = logLinearStateInputs(batch, heads, levels - 1, headDim, valueDim, childPath(name, 'cache'));
  // A program of one token per step takes the op's decode step; longer steps the chunk step.
  const step =
    length === 1
      ? logLinearDecodeStep({ query, key, value, levelWeights, logDecay, state }, name)
      : logLinearChunkStep(
          {
            query,
            key,
            value,
            levelWeights,
            logDecay,
            state,
            count: isSymbolic(sequence)
              ? mapElements([full(0, [1], 'i32')], dimExpr(sequence))
              : full(length, [1], 'i32'),
          },
          name,
        );
  const states: CacheState[] = [
    { input: state.levels, output: step.state.levels },
    { input: state.position, output: step.state.position },
  ];
  return { output: project(step.output), states };
}

/** `[length]` i32 row indices 0 … length − 1, clamped to `lastRow` (an i32 Expr). */
function rowIndices(length: number, lastRow: ReturnType<typeof constant>): Node {
  return mapElements([full(0, [length], 'i32')], variable('i0', 'i32').min(lastRow));
}
