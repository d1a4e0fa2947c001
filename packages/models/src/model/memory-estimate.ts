import { fenwickLevelCount } from '@weft/attention/linear';
import { MemoryLimitError, type Node } from '@weft/ir';
import type { BlockAttention } from '../blocks/attention-part.js';
import type { BlockNorm } from '../blocks/block-norm.js';
import type { CacheLayout } from '../blocks/kv-cache.js';
import type { MegaLayerSpec } from '../blocks/mega-layer.js';
import { InferenceCache, type InferenceCacheOptions } from '../generate/inference-cache.js';
import type { DecoderLmConfig } from '../spec/model-spec-types.js';
import type { AnyModelSpec, DecoderLmConfigV2 } from '../spec/model-spec-v2-types.js';
import { attentionCacheElements } from './cache-memory.js';
import { normLayerOfSlot } from './decoder-conditioning.js';
import { resolveDecoderLayers } from './decoder-definition-v2.js';

/**
 * Bytes a model may take on the CPU reference backend (which also holds every parameter as
 * float64): 2 GiB of f32 tensors by this estimate.
 */
export const CPU_MODEL_BYTES_LIMIT = 2 ** 31;

/** What a decoder LM needs, estimated from its config alone (nothing built or allocated). */
export interface ModelMemoryEstimate {
  /** Parameters: 4 bytes an element, 2 under {@link MemoryEstimateOptions.halfStorage}. */
  readonly parameterBytes: number;
  /**
   * The step program's state and its next values (two copies), 4 bytes an element: the KV caches
   * under the cache policy of {@link MemoryEstimateOptions.cache} (with what the policy tracks per
   * slot), linear layers' recurrent states, Mega's EMA state. Exactly the bytes of the step
   * program's state tensors.
   */
  readonly cacheBytes: number;
  /**
   * Activations of a run at `maxSeq` tokens per sequence (an upper estimate; buffers are reused),
   * f32, or 2 bytes an element but the logits' 4 under {@link MemoryEstimateOptions.halfStorage}.
   */
  readonly activationBytes: number;
  /** The largest single tensor (one storage binding): an embedding table, the logits, a cache. */
  readonly largestTensorBytes: number;
  /** The largest program's arena: parameters + caches + activations. */
  readonly totalBytes: number;
}

/** What the programs are compiled with, as far as their memory depends on it. */
export interface MemoryEstimateOptions {
  /**
   * The inference cache of `compileModel`'s `cache` option: its policy and `prefillChunk` set the
   * slots per layer (and per KV head) and the tensors the policy keeps. Default: right-aligned
   * caches of `maxSeq` slots.
   *
   * @throws SpecError for an invalid policy or chunk (as `compileModel` would).
   */
  readonly cache?: InferenceCacheOptions;
  /**
   * `compile`'s `halfStorage`: the intermediates between kernels and the parameters take 2 bytes
   * an element, so the activations halve but for the logits (a graph output, kept f32), and so do
   * the parameters. The step program's state (graph inputs and outputs) stays f32. Default false,
   * as `compile`'s default at precision `f16-emulated`; pass true for precision `f16`, where
   * `compile` turns it on by default. `largestTensorBytes` still counts an embedding table in f32
   * (an upper bound).
   */
  readonly halfStorage?: boolean;
}

/** Memory limits a model must fit, in bytes. */
export interface MemoryLimits {
  /** Largest buffer (a program's arena): WebGPU `maxBufferSize`. */
  readonly maxBufferSize: number;
  /** Largest range bound to one kernel (one tensor): WebGPU `maxStorageBufferBindingSize`. */
  readonly maxStorageBufferBindingSize: number;
  /** Where the limits come from, for messages. */
  readonly source: string;
}

/**
 * Estimates the memory of a decoder LM from its config, in bytes: parameters (embeddings,
 * per-layer projections, MLP, norms, head), the KV caches of the step program (under the cache
 * policy of `options.cache`), and the activations of `batch` sequences of `maxSeq` tokens (halved
 * but for the logits under `options.halfStorage`). Cheap: arithmetic on the sizes, nothing is built.
 *
 * @example
 * ```ts fragment
 * const { totalBytes } = estimateModelMemory(spec.config, 1);
 * const windowed = estimateModelMemory(spec.config, 1, { cache: { policy: rollingWindow(256) } });
 * ```
 */
export function estimateModelMemory(
  config: DecoderLmConfig,
  batch = 1,
  options: MemoryEstimateOptions = {},
): ModelMemoryEstimate {
  const { vocabSize: V, dModel: d, layers, heads, kvHeads, headDim, maxSeq } = config;
  const hidden = config.mlp.hidden;
  const attention =
    d * (heads + 2 * kvHeads) * headDim + heads * headDim * d + (heads + 2 * kvHeads) * headDim;
  const mlp = (config.mlp.kind === 'gelu' ? 2 : 3) * d * hidden + hidden + d;
  const norms = 3 * 2 * d;
  const embedding = V * d + (config.positions.kind === 'learned' ? config.positions.max * d : 0);
  const head = config.tieEmbeddings ? 0 : V * d;
  const parameters = embedding + head + layers * (attention + mlp + norms) + 2 * d;
  const cache = attentionCacheElements(
    { kvHeads, headDim, valueHeads: kvHeads, valueDim: headDim },
    maxSeq,
    cacheLayoutOf(maxSeq, options),
  );
  const rows = batch * maxSeq;
  const rowWidth = V + 2 * hidden + 3 * (heads + 2 * kvHeads) * headDim + 4 * d;
  return estimateOf({
    parameters,
    cacheElements: layers * cache.total,
    activations: { rows, rowWidth, logitsWidth: V },
    largest: { f32: Math.max(V * d, rows * V, cache.largest), intermediate: rows * hidden },
    halfStorage: options.halfStorage === true,
  });
}

/** The estimate's sizes, in elements, before they are counted in bytes. */
interface EstimateTerms {
  readonly parameters: number;
  /** One copy of the step program's state. */
  readonly cacheElements: number;
  /** Activations: `rows` rows of `rowWidth` elements, `logitsWidth` of them the logits. */
  readonly activations: { readonly rows: number; readonly rowWidth: number; readonly logitsWidth: number };
  /** The largest tensor kept f32 (parameters, logits, state) and the largest intermediate. */
  readonly largest: { readonly f32: number; readonly intermediate: number };
  readonly halfStorage: boolean;
}

/** Counts the terms in bytes: 4 an element, 2 an intermediate or parameter element under f16 storage. */
function estimateOf(terms: EstimateTerms): ModelMemoryEstimate {
  const intermediateBytes = terms.halfStorage ? 2 : 4;
  const { rows, rowWidth, logitsWidth } = terms.activations;
  const parameterBytes = terms.parameters * intermediateBytes;
  const cacheBytes = terms.cacheElements * 2 * 4;
  const activationBytes = rows * (logitsWidth * 4 + (rowWidth - logitsWidth) * intermediateBytes);
  return {
    parameterBytes,
    cacheBytes,
    activationBytes,
    largestTensorBytes: Math.max(terms.largest.f32 * 4, terms.largest.intermediate * intermediateBytes),
    totalBytes: parameterBytes + cacheBytes + activationBytes,
  };
}

/** The step program's cache layout under `options.cache` (as `compileModel` makes it); none by default. */
function cacheLayoutOf(maxSeq: number, options: MemoryEstimateOptions): CacheLayout | undefined {
  return options.cache === undefined ? undefined : new InferenceCache(maxSeq, options.cache).layout;
}

/**
 * {@link estimateModelMemory} for a validated spec of either version. A v2 spec is estimated
 * layer by layer (each layer's heads, value heads, dims and MLP after the overrides); a cache
 * policy sizes its softmax layers' caches only (linear layers keep their state whatever it is).
 * `cacheBytes` is exactly what the step program `compileModel(spec, { cache })` builds keeps as state.
 *
 * @throws SpecError for an invalid `options.cache` (policy or `prefillChunk`).
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 *
 * const spec = parseModelSpecJSON(readFileSync('model.json', 'utf8'));
 * const { totalBytes } = estimateSpecMemory(spec);
 * const { cacheBytes } = estimateSpecMemory(spec, 1, { cache: { policy: heavyHitter(64, 64) } });
 * ```
 */
export function estimateSpecMemory(
  spec: AnyModelSpec,
  batch = 1,
  options: MemoryEstimateOptions = {},
): ModelMemoryEstimate {
  return spec.schemaVersion === 2
    ? estimateV2Memory(spec.config, batch, options)
    : estimateModelMemory(spec.config, batch, options);
}

/** Parameters of one norm slot: a gain and bias, the adaLN modulation `[d, 2d]` + `[2d]`, or `tasks` gains and biases. */
function normParameters(norm: BlockNorm, d: number, tasks: number): number {
  const layer = normLayerOfSlot(norm);
  if (layer?.name === 'adaptiveLayerNorm') return 2 * d * d + 2 * d;
  if (layer?.name === 'taskLayerNorm') return tasks * 2 * d;
  return 2 * d;
}

/** Elements of the parameters bound to an attention's tensor references (learned sinks, slopes). */
function tensorParameters(attention: BlockAttention): number {
  const tensors = (attention as { readonly tensors?: Readonly<Record<string, Node>> }).tensors ?? {};
  return Object.values(tensors).reduce(
    (sum, node) =>
      sum + node.shape.reduce<number>((product, dim) => product * (typeof dim === 'number' ? dim : 1), 1),
    0,
  );
}

/** The conditioning's parameters: the timestep MLP, the label table, and an adaLN final norm's modulation (an upper bound). */
function conditioningParameters(config: DecoderLmConfigV2): number {
  const { conditioning, dModel: d } = config;
  if (conditioning === undefined) return 0;
  const frequencies = conditioning.timestep?.frequencies ?? 256;
  const timestep = conditioning.timestep === undefined ? 0 : frequencies * d + d + d * d + d;
  const classes = (conditioning.classLabels?.classes ?? 0) * d;
  const tasks = (conditioning.taskIds?.tasks ?? 0) * 2 * d;
  return timestep + classes + tasks + 2 * d * d + 2 * d;
}
/**
 * A Mega layer's terms: its parameters (v, the EMA's δ α β γ [d, N] and ω, mx [d, 2d + z + h], the
 * QK offsets, the relative-position table [2P − 1], h [h, d], biases), the state a decode keeps
 * (the EMA's h [d, N] and the head's keys [maxSeq, z] and values [maxSeq, h]) and its widest rows.
 */
function megaLayerSizes(
  mega: MegaLayerSpec,
  d: number,
  maxSeq: number,
): { parameters: number; cache: number; rowWidth: number } {
  const { zDim: z, hDim: h, components: n } = mega;
  const mixed = 2 * d + z + h;
  const positions = mega.maxPositions ?? Math.min(maxSeq, mega.attentionChunk ?? maxSeq);
  return {
    parameters: d * h + h + 4 * d * n + d + d * mixed + mixed + 4 * z + 2 * positions - 1 + h * d + d,
    cache: d * n + maxSeq * (z + h),
    rowWidth: 2 * mixed + 3 * h + 4 * d + maxSeq,
  };
}

/** The v1 estimate's terms, summed over the layers of a v2 config (QKV biases and three norms, four with sandwich norms, counted as an upper bound; output biases where a layer has one). */
function estimateV2Memory(
  config: DecoderLmConfigV2,
  batch: number,
  options: MemoryEstimateOptions,
): ModelMemoryEstimate {
  const { vocabSize: V, dModel: d, maxSeq } = config;
  const rows = batch * maxSeq;
  const layout = cacheLayoutOf(maxSeq, options);
  let layerParameters = 0;
  let cacheElements = 0;
  let rowWidth = 0;
  let largest = Math.max(V * d, rows * V);
  let largestIntermediate = 0;
  for (const { attention, mlp, block } of resolveDecoderLayers(config)) {
    const mlpParameters =
      (mlp.kind === 'gelu' || mlp.kind === 'relu2' ? 2 : 3) * d * mlp.hidden + mlp.hidden + d;
    if (attention.kind === 'mega-block') {
      const mega = megaLayerSizes(attention, d, maxSeq);
      // The block's own LayerNorm (2d) and the MLP's norm.
      layerParameters +=
        mega.parameters +
        mlpParameters +
        2 * d +
        normParameters(block.norm, d, config.conditioning?.taskIds?.tasks ?? 1);
      cacheElements += mega.cache;
      rowWidth = Math.max(rowWidth, V + 2 * mlp.hidden + mega.rowWidth);
      largest = Math.max(largest, mega.cache);
      largestIntermediate = Math.max(largestIntermediate, rows * 2 * mlp.hidden);
      continue;
    }
    // A linear layer: H key/value heads, and a state [H, d_k, d_v] (+ [H, d_k]) in place of the KV
    // cache; a log-linear layer: L − 1 such states (its Fenwick levels), a position, and the gates.
    const logLinear = attention.kind === 'log-linear-attention';
    const linear = logLinear || attention.kind === 'linear-attention';
    const { heads, headDim, valueDim } = attention;
    const kvHeads = attention.kind === 'attention' ? attention.kvHeads : heads;
    const valueHeads = attention.kind === 'attention' ? attention.valueHeads : heads;
    const projected = (heads + kvHeads) * headDim + valueHeads * valueDim;
    const outputBias = (block.attention as { readonly outputBias?: boolean }).outputBias === true ? d : 0;
    const attentionParameters = d * projected + heads * valueDim * d + projected + outputBias;
    const norms = 'placement' in block.norm && block.norm.placement === 'sandwich' ? 4 : 3;
    layerParameters +=
      attentionParameters +
      mlpParameters +
      norms * normParameters(block.norm, d, config.conditioning?.taskIds?.tasks ?? 1) +
      // adaLN-Zero: a shift, scale and gate modulation [d, 3d] + [3d] per sublayer.
      (block.residual?.kind === 'adaLnZero' ? 2 * (3 * d * d + 3 * d) : 0) +
      (linear ? 0 : tensorParameters(block.attention as BlockAttention)) +
      (logLinear ? d * heads * fenwickLevelCount(maxSeq) + d * heads : 0);
    // A softmax layer keeps the KV cache of the policy's layout; linear layers keep their state whatever the policy.
    const softmax =
      attention.kind === 'attention'
        ? attentionCacheElements({ kvHeads, headDim, valueHeads, valueDim }, maxSeq, layout)
        : { total: 0, largest: 0 };
    const state = logLinear
      ? heads * (fenwickLevelCount(maxSeq) - 1) * headDim * valueDim + 1
      : attention.kind === 'linear-attention'
        ? heads * attention.featureDim * (valueDim + (attention.denominator === null ? 0 : 1))
        : softmax.total;
    cacheElements += state;
    rowWidth = Math.max(rowWidth, V + 2 * mlp.hidden + 3 * projected + 4 * d);
    // A linear layer's largest state tensor is its S (the whole state bounds it).
    largest = Math.max(largest, linear ? state : softmax.largest);
    largestIntermediate = Math.max(largestIntermediate, rows * 2 * mlp.hidden);
  }
  const learned = config.positions?.kind === 'learned' ? config.positions.max * d : 0;
  const head = config.tieEmbeddings ? 0 : V * d;
  return estimateOf({
    parameters: V * d + learned + head + layerParameters + conditioningParameters(config) + 2 * d,
    cacheElements,
    activations: { rows, rowWidth, logitsWidth: V },
    largest: { f32: largest, intermediate: largestIntermediate },
    halfStorage: options.halfStorage === true,
  });
}

/** The limits of a WebGPU device, or of the CPU backend (see {@link CPU_MODEL_BYTES_LIMIT}). */
export function memoryLimitsOf(device: GPUDevice | undefined): MemoryLimits {
  if (device === undefined) {
    return {
      maxBufferSize: CPU_MODEL_BYTES_LIMIT,
      maxStorageBufferBindingSize: CPU_MODEL_BYTES_LIMIT,
      source: 'the CPU backend',
    };
  }
  return {
    maxBufferSize: device.limits.maxBufferSize,
    maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
    source: 'the WebGPU device',
  };
}

/**
 * Refuses a model whose estimate exceeds the limits, before anything is allocated or any random
 * weight generated: a {@link MemoryLimitError} giving the estimate and the limit it breaks.
 */
export function checkModelMemory(estimate: ModelMemoryEstimate, limits: MemoryLimits, block = 'model'): void {
  const breakdown = `parameters ${formatBytes(estimate.parameterBytes)} + KV caches ${formatBytes(
    estimate.cacheBytes,
  )} + activations ${formatBytes(estimate.activationBytes)}`;
  if (estimate.totalBytes > limits.maxBufferSize) {
    throw new MemoryLimitError(
      `the model needs about ${formatBytes(estimate.totalBytes)} (${breakdown}), more than ${limits.source} allows in one buffer (maxBufferSize)`,
      { block, expected: `at most ${limits.maxBufferSize} bytes`, actual: `${estimate.totalBytes} bytes` },
    );
  }
  if (estimate.largestTensorBytes > limits.maxStorageBufferBindingSize) {
    throw new MemoryLimitError(
      `the model's largest tensor needs about ${formatBytes(estimate.largestTensorBytes)}, more than ${limits.source} can bind (maxStorageBufferBindingSize)`,
      {
        block,
        expected: `at most ${limits.maxStorageBufferBindingSize} bytes`,
        actual: `${estimate.largestTensorBytes} bytes`,
      },
    );
  }
}

/** `1.5 GiB`, `320 MiB`, `12 KiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}
