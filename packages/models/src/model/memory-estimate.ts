import { fenwickLevelCount } from '@weft/attention/linear';
import { MemoryLimitError, type Node } from '@weft/ir';
import type { BlockAttention } from '../blocks/attention-part.js';
import type { BlockNorm } from '../blocks/block-norm.js';
import type { MegaLayerSpec } from '../blocks/mega-layer.js';
import type { DecoderLmConfig } from '../spec/model-spec-types.js';
import type { AnyModelSpec, DecoderLmConfigV2 } from '../spec/model-spec-v2-types.js';
import { normLayerOfSlot } from './decoder-conditioning.js';
import { resolveDecoderLayers } from './decoder-definition-v2.js';

/**
 * Bytes a model may take on the CPU reference backend (which also holds every parameter as
 * float64): 2 GiB of f32 tensors by this estimate.
 */
export const CPU_MODEL_BYTES_LIMIT = 2 ** 31;

/** What a decoder LM needs, estimated from its config alone (nothing built or allocated). */
export interface ModelMemoryEstimate {
  /** Parameters, f32. */
  readonly parameterBytes: number;
  /** KV caches of the step program and their next values (two copies), f32. */
  readonly cacheBytes: number;
  /** Activations of a run at `maxSeq` tokens per sequence (an upper estimate; buffers are reused). */
  readonly activationBytes: number;
  /** The largest single tensor (one storage binding): an embedding table, the logits, a cache. */
  readonly largestTensorBytes: number;
  /** The largest program's arena: parameters + caches + activations. */
  readonly totalBytes: number;
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
 * Estimates the memory of a decoder LM from its config, in f32 bytes: parameters (embeddings,
 * per-layer projections, MLP, norms, head), the KV caches, and the activations of `batch`
 * sequences of `maxSeq` tokens. Cheap: arithmetic on the sizes, nothing is built.
 *
 * @example
 * ```ts fragment
 * const { totalBytes } = estimateModelMemory(spec.config, 1);
 * ```
 */
export function estimateModelMemory(config: DecoderLmConfig, batch = 1): ModelMemoryEstimate {
  const { vocabSize: V, dModel: d, layers, heads, kvHeads, headDim, maxSeq } = config;
  const hidden = config.mlp.hidden;
  const attention =
    d * (heads + 2 * kvHeads) * headDim + heads * headDim * d + (heads + 2 * kvHeads) * headDim;
  const mlp = (config.mlp.kind === 'gelu' ? 2 : 3) * d * hidden + hidden + d;
  const norms = 3 * 2 * d;
  const embedding = V * d + (config.positions.kind === 'learned' ? config.positions.max * d : 0);
  const head = config.tieEmbeddings ? 0 : V * d;
  const parameters = embedding + head + layers * (attention + mlp + norms) + 2 * d;
  const cacheElements = layers * 2 * kvHeads * maxSeq * headDim;
  const rows = batch * maxSeq;
  const rowWidth = V + 2 * hidden + 3 * (heads + 2 * kvHeads) * headDim + 4 * d;
  const activations = rows * rowWidth;
  const largest = Math.max(V * d, rows * V, rows * hidden, kvHeads * maxSeq * headDim);
  const parameterBytes = parameters * 4;
  const cacheBytes = cacheElements * 2 * 4;
  const activationBytes = activations * 4;
  return {
    parameterBytes,
    cacheBytes,
    activationBytes,
    largestTensorBytes: largest * 4,
    totalBytes: parameterBytes + cacheBytes + activationBytes,
  };
}

/**
 * {@link estimateModelMemory} for a validated spec of either version. A v2 spec is estimated
 * layer by layer (each layer's heads, value heads, dims and MLP after the overrides).
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 *
 * const text = readFileSync('model.json', 'utf8');
 * const { totalBytes } = estimateSpecMemory(parseModelSpecJSON(text));
 * ```
 */
export function estimateSpecMemory(spec: AnyModelSpec, batch = 1): ModelMemoryEstimate {
  return spec.schemaVersion === 2
    ? estimateV2Memory(spec.config, batch)
    : estimateModelMemory(spec.config, batch);
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
function estimateV2Memory(config: DecoderLmConfigV2, batch: number): ModelMemoryEstimate {
  const { vocabSize: V, dModel: d, maxSeq } = config;
  const rows = batch * maxSeq;
  let layerParameters = 0;
  let cacheElements = 0;
  let rowWidth = 0;
  let largest = Math.max(V * d, rows * V);
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
      largest = Math.max(largest, rows * 2 * mlp.hidden, mega.cache);
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
    cacheElements += logLinear
      ? heads * (fenwickLevelCount(maxSeq) - 1) * headDim * valueDim + 1
      : attention.kind === 'linear-attention'
        ? heads * attention.featureDim * (valueDim + (attention.denominator === null ? 0 : 1))
        : (kvHeads * headDim + valueHeads * valueDim) * maxSeq;
    rowWidth = Math.max(rowWidth, V + 2 * mlp.hidden + 3 * projected + 4 * d);
    largest = Math.max(
      largest,
      rows * 2 * mlp.hidden,
      kvHeads * maxSeq * headDim,
      valueHeads * maxSeq * valueDim,
    );
  }
  const learned = config.positions?.kind === 'learned' ? config.positions.max * d : 0;
  const head = config.tieEmbeddings ? 0 : V * d;
  const parameterBytes =
    (V * d + learned + head + layerParameters + conditioningParameters(config) + 2 * d) * 4;
  const cacheBytes = cacheElements * 2 * 4;
  const activationBytes = rows * rowWidth * 4;
  return {
    parameterBytes,
    cacheBytes,
    activationBytes,
    largestTensorBytes: largest * 4,
    totalBytes: parameterBytes + cacheBytes + activationBytes,
  };
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
