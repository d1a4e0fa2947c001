import { attention } from '@weft/attention/kernels';
import { linearAttentionExtension } from '@weft/attention/linear-kernels';
import {
  type FusionCostOverrides,
  type Graph,
  InputError,
  interpret,
  SpecError,
  tensor64,
  WeftError,
} from '@weft/ir';
import { compile, defaultHalfStorage, type Program, type WeftDevice } from '@weft/runtime';
import {
  type DecodeStepper,
  type GenerateOptions,
  type GenerateResult,
  generateTokens,
} from '../generate/generate-tokens.js';
import { InferenceCache, type InferenceCacheOptions } from '../generate/inference-cache.js';
import { createSerialQueue } from '../generate/serial-queue.js';
import { parseModelSpec } from '../spec/model-spec-json.js';
import type { AnyModelSpec, AnyModelSpecInput } from '../spec/model-spec-v2-types.js';
import type { WeightTensor } from '../weights/fuse-projections.js';
import { type ExpectedParameter, parametersFromWeights } from '../weights/model-weights.js';
import type { LoadedTensor } from '../weights/safetensors.js';
import {
  buildDecoderGraph,
  type DecoderLmDefinition,
  PAST_INPUT,
  SEQ_DIM,
  TOKENS_INPUT,
} from './decoder-graph.js';
import { checkLogLinearReach } from './log-linear-reach.js';
import { checkModelMemory, estimateSpecMemory, memoryLimitsOf } from './memory-estimate.js';
import { modelDefinitionOf } from './model-definition.js';
import { type ModelPrecision, precisionOptions, resolveModelDevice } from './model-device.js';
import { modelGraphParameters, randomModelParameters } from './model-parameters.js';

/** Weights for {@link compileModel}: Weft or PyTorch-style names (see `parametersFromWeights`). */
export type ModelWeights =
  | ReadonlyMap<string, LoadedTensor | WeightTensor>
  | Readonly<Record<string, Float32Array>>;

/** A stage of {@link compileModel}, reported to `onProgress`. */
export interface CompileProgress {
  /** Stages finished. */
  readonly done: number;
  /** Stages in all. */
  readonly total: number;
  /** What was just finished. */
  readonly stage: string;
}

/** Options of {@link compileModel}. */
export interface CompileModelOptions {
  /** A device, `'cpu'` (float64 reference interpreter) or `'auto'` (WebGPU when an adapter exists, else the CPU). */
  readonly device: WeftDevice | GPUDevice | 'cpu' | 'auto';
  /** The weights; seeded random parameters when absent. */
  readonly weights?: ModelWeights;
  /** Seed of the random parameters. Default 0. */
  readonly seed?: number;
  /** Sequences per `run` call. Default 1. */
  readonly batch?: number;
  /** Fuse kernels (default) or run one kernel per op. */
  readonly fuse?: boolean;
  /** Costs measured on the adapter for the fusion planner's cost model (`compile`'s `fusionCosts`). */
  readonly fusionCosts?: FusionCostOverrides;
  /**
   * How the kernels store and compute floats (`compile`'s `precision`; default `f32`): `f16` needs a
   * device with `shader-f16` (an `UnsupportedError` otherwise), `f16-emulated` runs anywhere. The
   * CPU backend ignores it.
   */
  readonly precision?: ModelPrecision;
  /**
   * f16 storage of the intermediates and the weights (`compile`'s `halfStorage`): default on at
   * precision `f16`, off otherwise. The memory check counts it.
   */
  readonly halfStorage?: boolean;
  /** Why `device` is the CPU, when the caller resolved `'auto'` itself (see {@link resolveModelDevice}). */
  readonly fallbackReason?: string;
  /** Called after each compile stage (for progress bars). */
  readonly onProgress?: (progress: CompileProgress) => void;
  /**
   * Keep the KV cache as an {@link InferenceCache} with this policy: keys stored after RoPE,
   * each position in its own slot (no shift per step), and generation past the capacity by a
   * rolling window, sinks plus a window, or eviction per KV head by score (`heavyHitter`) or by
   * learned weights the layers read as parameters (`nats`, `lte`).
   * Default: the right-aligned caches of `maxSeq` slots.
   * The attention must be causal with RoPE or no positions (`SpecError` otherwise).
   */
  readonly cache?: InferenceCacheOptions;
}

/** Logits of a full-sequence run. */
export interface ModelLogits {
  /** Values, `[batch, seq, vocab]` row-major. */
  readonly data: Float32Array;
  /** `[batch, seq, vocab]`. */
  readonly shape: readonly number[];
}

/**
 * A compiled decoder LM: two programs over the same parameters — `decoder` runs generation steps
 * (prefill and decode) against KV caches kept on the device; the cache-free full-sequence program
 * behind `run` is compiled on first use.
 *
 * **Sharing.** A model holds one set of KV caches. Its `generate` and `step` calls are queued on a
 * per-model mutex and run one at a time, in call order, so one model may be shared by concurrent
 * callers: each `generate` sees only its own prompt and tokens (they wait for each other rather
 * than run in parallel). `run` and `referenceLogits` hold no state and need no queue. A `step`
 * continues whatever the caches hold at its turn, so a caller that interleaves its own `step`s
 * with other callers' work must own the model. Calling `decoder.run`/`decoder.resetState`
 * directly bypasses the queue. For parallel generations, compile one model per caller (pipelines
 * are cached per device, so the second compile is cheap).
 */
export interface CompiledModel {
  /** The validated spec (version 1 or 2). */
  readonly spec: AnyModelSpec;
  /** Where it runs. */
  readonly backend: 'webgpu' | 'cpu';
  /** Why it runs on the CPU, when it fell back. */
  readonly fallbackReason?: string;
  /** The full-sequence program (`tokens [batch, seq]` → `logits [batch, seq, V]`), compiled on first call. */
  forwardProgram(): Promise<Program>;
  /** The cached step program (`tokens [1, seq]`, `past [1]` → last logits, caches as state). */
  readonly decoder: Program;
  /** The graphs of both programs (for the reference interpreter and plans). */
  readonly graphs: { readonly forward: Graph; readonly decoder: Graph };
  /** The parameter values, by Weft name. */
  readonly parameters: Readonly<Record<string, Float32Array>>;
  /** The inference cache, when compiled with `cache` (its policy, layout, length and evictions). */
  readonly cache?: InferenceCache;
  /** Logits for every position of `tokens` (`batch · seq` ids, row-major). */
  run(tokens: ArrayLike<number>): Promise<ModelLogits>;
  /**
   * Float64 reference logits of the last position of `tokens` (one sequence), from the
   * cache-free graph on the reference interpreter: the oracle for `step` and `generate`.
   */
  referenceLogits(tokens: readonly number[]): Float64Array;
  /**
   * One decode step: `tokens` after `past` cached tokens → logits of the last one. Queued behind
   * the model's other steps and generations (see the sharing note above).
   */
  step(tokens: ArrayLike<number>, past: number): Promise<Float32Array>;
  /**
   * Prefill + decode with the KV cache (see `generateTokens`). Concurrent calls on one model run
   * one after another, each from empty caches, and give the same tokens as sequential calls.
   */
  generate(prompt: readonly number[], options: GenerateOptions): Promise<GenerateResult>;
  /** Frees the device buffers of both programs. */
  destroy(): void;
}

/**
 * Compiles a model spec of either version (a typed value or its JSON document) into a
 * {@link CompiledModel}: v1 configs and v2 decoders with per-layer attention variants alike.
 *
 * @throws SpecError with the JSON path for an invalid spec; MemoryLimitError when the estimated
 * memory (see `estimateModelMemory`) exceeds the device's `maxBufferSize` or
 * `maxStorageBufferBindingSize` (or `CPU_MODEL_BYTES_LIMIT` on the CPU), before anything is
 * allocated; the weight loader's errors for missing or misshapen weights.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 *
 * const spec = parseModelSpecJSON(readFileSync('model.json', 'utf8'));
 * const model = await compileModel(spec, { device: 'auto', seed: 1 });
 * const { tokens } = await model.generate([1, 2, 3], { maxTokens: 32, sampling: { kind: 'greedy' } });
 * model.destroy();
 * ```
 */
export async function compileModel(
  spec: AnyModelSpec | AnyModelSpecInput,
  options: CompileModelOptions,
): Promise<CompiledModel> {
  const validated = parseModelSpec(spec as unknown);
  const { config } = validated;
  if ('conditioning' in config && config.conditioning !== undefined) {
    // Generation feeds tokens only; a conditioned decoder's inputs come with its own programs.
    throw new SpecError(
      `compileModel: config.conditioning declares inputs (${Object.keys(config.conditioning).join(', ')}) that generation does not feed; build the programs with buildModelGraph and compile them`,
      { expected: 'a decoder-lm without conditioning', actual: 'config.conditioning' },
    );
  }
  const total = 3;
  const report = (done: number, stage: string) => options.onProgress?.({ done, total, stage });
  const batch = options.batch ?? 1;
  if (!(Number.isSafeInteger(batch) && batch >= 1)) {
    throw new InputError('compileModel: batch must be a positive integer', {
      expected: 'a positive integer',
      actual: batch,
    });
  }
  const resolved = await resolveModelDevice(options.device);
  const { device } = resolved;
  // Refuse a model the device cannot hold before building graphs or generating weights.
  const gpuDevice = device === 'cpu' ? undefined : 'device' in device ? device.device : device;
  const halfStorage =
    gpuDevice !== undefined && (options.halfStorage ?? defaultHalfStorage(options.precision ?? 'f32'));
  checkModelMemory(
    estimateSpecMemory(validated, batch, {
      ...(options.cache === undefined ? {} : { cache: options.cache }),
      halfStorage,
    }),
    memoryLimitsOf(gpuDevice),
  );
  const definition = modelDefinitionOf(validated);
  const forwardGraph = buildDecoderGraph(definition, { mode: 'forward', batch });
  const inferenceCache =
    options.cache === undefined
      ? undefined
      : new InferenceCache(config.maxSeq, options.cache, positionLimitOf(definition));
  if (inferenceCache !== undefined) checkLogLinearReach(definition, inferenceCache.maxLength);
  const stepGraph = buildDecoderGraph(definition, {
    mode: 'step',
    ...(inferenceCache === undefined
      ? {}
      : { cache: { layout: inferenceCache.layout, maxStepTokens: inferenceCache.maxStepTokens } }),
  });
  const parameters =
    options.weights === undefined
      ? randomModelParameters(forwardGraph.graph, stepGraph.graph, options.seed ?? 0)
      : loadParameters(options.weights, modelGraphParameters(forwardGraph.graph, stepGraph.graph));
  report(1, 'graphs and parameters');
  const fallbackReason = resolved.fallbackReason ?? options.fallbackReason;
  const common = {
    device,
    params: parameters,
    // The decoder's attention blocks compile with the attention kernels: callers pass nothing.
    extensions: [attention, linearAttentionExtension],
    ...(options.fuse === undefined ? {} : { fuse: options.fuse }),
    ...(options.fusionCosts === undefined ? {} : { fusionCosts: options.fusionCosts }),
    ...precisionOptions(options),
    ...(fallbackReason === undefined ? {} : { fallbackReason }),
  };
  const decoder = await compile(stepGraph.graph, { ...common, state: stepGraph.state });
  report(2, 'decoder program');
  let forward: Promise<Program> | undefined;
  const forwardProgram = () => {
    forward ??= compile(forwardGraph.graph, common);
    return forward;
  };
  const maxSeq = inferenceCache?.maxLength ?? config.maxSeq;
  // Learned eviction keeps a number of positions the device decides: read the slot tags back.
  const keptOutputs = inferenceCache?.readsKeptCounts
    ? Object.values(stepGraph.state).filter((name) => name.endsWith('.cache.positions.next'))
    : [];
  const maxStepTokens = inferenceCache?.maxStepTokens ?? config.maxSeq;
  const stepper: DecodeStepper = {
    maxSeq,
    maxStepTokens,
    reset: () => {
      decoder.resetState();
      inferenceCache?.setLength(0);
    },
    async step(tokens, past) {
      if (tokens.length > maxStepTokens) {
        throw new InputError('model.step: too many tokens for one step of the inference cache', {
          tensor: TOKENS_INPUT,
          expected: `1..${maxStepTokens} tokens (the cache's prefillChunk)`,
          actual: tokens.length,
        });
      }
      // `past` is read on the device (RoPE angles, the cache window): check it on the host.
      if (!(Number.isInteger(past) && past >= 0 && past + tokens.length <= maxSeq)) {
        throw new InputError(
          'model.step: past must be a whole number of cached tokens that leaves room for tokens',
          {
            tensor: PAST_INPUT,
            expected: `an integer in 0..${maxSeq - tokens.length} (maxSeq ${maxSeq} − ${tokens.length} new tokens)`,
            actual: past,
          },
        );
      }
      const { logits, ...kept } = await decoder.run(
        { [TOKENS_INPUT]: tokens, [PAST_INPUT]: Int32Array.of(past) },
        { dims: { [SEQ_DIM]: tokens.length }, outputs: ['logits', ...keptOutputs] },
      );
      inferenceCache?.setLength(past + tokens.length);
      if (keptOutputs.length > 0) inferenceCache?.recordKept(Object.values(kept).map((tags) => tags.data));
      return logits!.data as Float32Array;
    },
    ...(inferenceCache === undefined
      ? {}
      : {
          cachePolicy: inferenceCache.describe(),
          evictedAt: (length: number) => inferenceCache.evictedAt(length),
        }),
  };
  // One generation or step at a time: they share the decoder's KV caches.
  const exclusive = createSerialQueue();
  let destroyed = false;
  const checkLive = (what: string) => {
    if (destroyed)
      throw new WeftError('destroyed', `model.${what}: the model was destroyed`, {
        expected: 'a live model',
        actual: 'destroyed',
      });
  };
  report(3, 'ready');
  return {
    spec: validated,
    backend: decoder.backend,
    ...(decoder.fallbackReason === undefined ? {} : { fallbackReason: decoder.fallbackReason }),
    forwardProgram,
    decoder,
    graphs: { forward: forwardGraph.graph, decoder: stepGraph.graph },
    parameters,
    ...(inferenceCache === undefined ? {} : { cache: inferenceCache }),
    async run(tokens) {
      if (tokens.length === 0 || tokens.length % batch !== 0) {
        throw new InputError('model.run: tokens must fill whole sequences of the batch', {
          tensor: TOKENS_INPUT,
          expected: `a positive multiple of batch ${batch}`,
          actual: tokens.length,
        });
      }
      const { logits } = await (await forwardProgram()).run(
        { [TOKENS_INPUT]: Int32Array.from(tokens) },
        { dims: { [SEQ_DIM]: tokens.length / batch } },
      );
      return { data: logits!.data as Float32Array, shape: logits!.shape };
    },
    referenceLogits(tokens) {
      const single = buildDecoderGraph(definition, { mode: 'forward' }).graph;
      const { logits } = interpret(single, {
        inputs: { [TOKENS_INPUT]: tensor64([1, tokens.length], Array.from(tokens), 'i32') },
        params: parameters,
        dims: { [SEQ_DIM]: tokens.length },
      });
      const vocab = config.vocabSize;
      return logits!.data.slice((tokens.length - 1) * vocab, tokens.length * vocab);
    },
    step: (tokens, past) =>
      exclusive(() => {
        checkLive('step');
        if (tokens.length === 0) {
          throw new InputError('model.step: tokens must hold at least one token', {
            tensor: TOKENS_INPUT,
            expected: `1..${config.maxSeq} tokens`,
            actual: 0,
          });
        }
        return stepper.step(Int32Array.from(tokens), past);
      }),
    generate: (prompt, generateOptions) =>
      exclusive(() => {
        checkLive('generate');
        return generateTokens(stepper, prompt, generateOptions);
      }),
    destroy() {
      destroyed = true;
      decoder.destroy();
      void forward?.then((program) => program.destroy());
    },
  };
}

/**
 * Float32 holds every integer position exactly up to 2^24: the most positions a windowed cache
 * may reach with RoPE or no positions; a learned position table ends at its size.
 */
const POSITION_LIMIT = 2 ** 24;

function positionLimitOf(definition: DecoderLmDefinition): number {
  const positions = definition.embeddingPositions;
  return positions?.kind === 'learned' ? positions.max : POSITION_LIMIT;
}

/** Plain records hold flat arrays under Weft names: they take the shapes the model expects. */
function loadParameters(
  weights: ModelWeights,
  expected: readonly ExpectedParameter[],
): Record<string, Float32Array> {
  if (weights instanceof Map) return parametersFromWeights(weights, expected);
  const shapes = new Map(expected.map((parameter) => [parameter.name, parameter.shape]));
  const records = Object.entries(weights as Readonly<Record<string, Float32Array>>);
  const map = new Map<string, WeightTensor>(
    records.map(([name, data]) => {
      const shape = shapes.get(name);
      const fits = shape !== undefined && shape.reduce((product, dim) => product * dim, 1) === data.length;
      return [name, { shape: fits ? shape : [data.length], data }];
    }),
  );
  return parametersFromWeights(map, expected);
}
