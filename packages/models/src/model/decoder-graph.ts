import {
  constant,
  dimExpr,
  type Graph,
  gather,
  input,
  makeGraph,
  mapElements,
  type Node,
  reshape,
  SpecError,
  symbolicDim,
  variable,
  withLabel,
} from '@weft/ir';
import { checkExactOptions } from '../blocks/exact-options.js';
import type { CacheLayout, KvCacheOptions } from '../blocks/kv-cache.js';
import { lmHead } from '../blocks/lm-head.js';
import { type NormLayerLike, normLayer } from '../blocks/norm-layer.js';

import { layerBlockOptions, type StackBlockOptions, transformerStack } from '../blocks/stacks.js';
import { type EmbeddingPositions, tokenEmbedding } from '../blocks/token-embedding.js';
import {
  conditionOf,
  type DecoderConditioning,
  decoderConditions,
  normLayerOfSlot,
} from './decoder-conditioning.js';

/** Which program of a decoder LM to build. */
export type DecoderGraphMode =
  /** All positions at once, no cache: `tokens [batch, seq]` → `logits [batch, seq, V]`. */
  | 'forward'
  /** One generation step against the KV caches: `tokens [1, seq]`, `past [1]` → `logits [1, 1, V]` of the last position. */
  | 'step';

/** Options of {@link buildDecoderLmGraph} and {@link buildDecoderGraph}. */
export interface DecoderLmGraphOptions {
  /** Which program. */
  readonly mode: DecoderGraphMode;
  /** Sequences per run in `forward` mode. Default 1 (`step` is always 1). */
  readonly batch?: number;
  /**
   * `step` mode: keep rolling KV caches of this layout (keys stored after RoPE, ring slots, see
   * `RollingCacheLayout`), or heavy-hitter, NAtS or LTE caches (`HeavyHitterLayout`,
   * `NatsCacheLayout`, `LteCacheLayout`: per-KV-head slots, score-driven eviction and compaction;
   * NAtS and LTE score with each layer's own learned weights), or landmark caches
   * (`LandmarkCacheLayout`: blocks with a landmark slot, top-k block retrieval), instead of
   * right-aligned caches of `maxSeq` slots; a step then takes at most `maxStepTokens` tokens.
   * Default: right-aligned caches.
   */
  readonly cache?: {
    readonly layout: CacheLayout;
    readonly maxStepTokens: number;
  };
}

/** A decoder LM as a graph, with what compiling it needs. */
export interface DecoderLmGraph {
  /** The graph: output `logits`, plus the next cache states in `step` mode. */
  readonly graph: Graph;
  /** Persistent state `{ cacheInput: cacheOutput }` (empty in `forward` mode). */
  readonly state: Readonly<Record<string, string>>;
  /** Name of the symbolic sequence dim (bound per run). */
  readonly seqDim: string;
}

/** The symbolic dim of new tokens per run. */
export const SEQ_DIM = 'seq';

/** Name of the input holding the number of cached tokens, `[1]` i32 (step mode). */
export const PAST_INPUT = 'past';

/** Name of the token input, `[batch, seq]` i32. */
export const TOKENS_INPUT = 'tokens';

/** A block of a decoder LM definition: stack block options, without the cache (the step program adds it). */
export type DecoderBlockOptions = Omit<StackBlockOptions, 'cache'>;

/**
 * A decoder-only LM as a TypeScript value: any blocks the block builders take — every attention
 * variant of `@weft/attention` (per layer when `attention` or `block` is a function of the layer
 * index), any norm layer, the MLP variants and residual forms. Exact: an unknown key is an error.
 */
export interface DecoderLmDefinition {
  /** Number of tokens in the vocabulary. */
  readonly vocabSize: number;
  /** Width of the residual stream. */
  readonly dModel: number;
  /** Number of transformer layers (`layers.{i}`). */
  readonly layers: number;
  /** Longest sequence (the KV caches' slots). */
  readonly maxSeq: number;
  /** Every layer's block options, or a function of the layer index. */
  readonly block: DecoderBlockOptions | ((layer: number) => DecoderBlockOptions);
  /** The norm before the LM head (`finalNorm`); none when absent (post-norm models). */
  readonly finalNorm?: NormLayerLike;
  /** Absolute positions added to the token embeddings; none by default (RoPE and ALiBi live in attention). */
  readonly embeddingPositions?: EmbeddingPositions;
  /** Reuse the token embedding as the LM head. Default false. */
  readonly tieEmbeddings?: boolean;
  /** Multiply the token embeddings by this factor (Gemma: `√dModel`). Default none. */
  readonly embeddingScale?: number;
  /** Cap the logits softly, `c · tanh(logits / c)` (Gemma 2's final logit softcapping). Default none. */
  readonly logitSoftcap?: number;
  /**
   * The conditioning inputs that conditional norm layers (`adaptiveLayerNorm()`,
   * `taskLayerNormLayer()`) in the blocks and the final norm read; none by default.
   */
  readonly conditioning?: DecoderConditioning;
}

const DEFINITION_OPTIONS = [
  'vocabSize',
  'dModel',
  'layers',
  'maxSeq',
  'block',
  'finalNorm',
  'embeddingPositions',
  'tieEmbeddings',
  'embeddingScale',
  'logitSoftcap',
  'conditioning',
];

/**
 * Builds a decoder-only LM from a {@link DecoderLmDefinition}: token embedding (scaled by
 * `embeddingScale`, + learned or sinusoidal positions), `layers` transformer blocks
 * (`layers.{i}`), the final norm (`finalNorm`), the LM head (`head.weight`, or tied to
 * `embedding.tokens`) and the logit softcap `c · tanh(logits / c)` when `logitSoftcap` is `c`.
 * With `conditioning`, the programs take its inputs too (`timestep`, `classLabels`, `taskIds`,
 * each `[batch]`), and each conditional norm layer reads its condition (see `DecoderConditioning`).
 *
 * In `step` mode every attention appends its new keys and values to caches of `maxSeq` slots
 * (state inputs `layers.{i}.attn.cache.key|value`, outputs with `.next` appended) and only the
 * last position goes through the head; a linear-attention layer keeps its recurrent state
 * instead (`layers.{i}.attn.cache.state`, and `.cache.keyState` with a denominator).
 *
 * @example
 * ```ts fragment
 * const { graph, state } = buildDecoderGraph(HYBRID_DECODER, { mode: 'step' });
 * const program = await compile(graph, { device, params, state, extensions: [attention] });
 * ```
 */
export function buildDecoderGraph(
  definition: DecoderLmDefinition,
  options: DecoderLmGraphOptions,
): DecoderLmGraph {
  checkExactOptions('decoder', 'decoder', definition, DEFINITION_OPTIONS);
  for (const key of ['vocabSize', 'dModel', 'layers', 'maxSeq'] as const) {
    const value = definition[key];
    if (!Number.isInteger(value) || value < 1) {
      throw new SpecError(`decoder: option "${key}" must be a positive integer`, {
        block: 'decoder',
        expected: 'integer >= 1',
        actual: value,
      });
    }
  }
  const step = options.mode === 'step';
  const batch = step ? 1 : (options.batch ?? 1);
  const rolling = step ? options.cache : undefined;
  const seq = symbolicDim(SEQ_DIM, { max: rolling?.maxStepTokens ?? definition.maxSeq });
  const tokens = input(TOKENS_INPUT, [batch, seq], 'i32');
  const past = step ? input(PAST_INPUT, [1], 'i32') : undefined;
  // Position of token (b, i): i, plus the cached tokens when stepping.
  const tokenPosition = variable('i1', 'i32');
  const positionIds =
    past === undefined
      ? mapElements([tokens], tokenPosition)
      : mapElements([tokens, reshape(past, [1, 1])], variable('$1', 'i32').add(tokenPosition));
  const embeddingPositions = definition.embeddingPositions;
  const embedded = tokenEmbedding(tokens, {
    vocabSize: definition.vocabSize,
    dModel: definition.dModel,
    ...(definition.embeddingScale === undefined ? {} : { scale: definition.embeddingScale }),
    ...(embeddingPositions === undefined ? {} : { positions: embeddingPositions, positionIds }),
  });
  const cache: KvCacheOptions | undefined =
    past === undefined
      ? undefined
      : { maxSeq: definition.maxSeq, past, ...cacheLayoutOption(rolling?.layout) };
  const conditions = decoderConditions(definition.conditioning, batch, definition.dModel);
  const blockOf = (layer: number) => {
    const options = layerBlockOptions(definition.block, layer);
    // adaLN-Zero residuals read the vector c when the norm layer reads no condition of its own.
    const condition =
      options.condition ??
      conditionOf(normLayerOfSlot(options.norm), conditions, `layers.${layer}.norm`) ??
      (options.residual?.kind === 'adaLnZero' ? conditions.vector : undefined);
    return {
      ...options,
      ...(condition === undefined ? {} : { condition }),
      ...(cache === undefined ? {} : { cache }),
    };
  };
  const { output, states } = transformerStack(embedded, definition.layers, blockOf, 'layers');
  // Step mode reads out the last position only: index seq − 1 along the sequence axis. The body
  // reads `past` (always ≥ 0) so that the kernel binds only tensors it reads.
  const hidden = withLabel('lastToken', () => {
    const lastIndex =
      past === undefined
        ? undefined
        : mapElements(
            [past],
            variable('$0', 'i32')
              .ge(constant(0, 'i32'))
              .select(dimExpr(seq).sub(constant(1, 'i32')), constant(0, 'i32')),
          );
    return lastIndex === undefined ? output : gather(output, lastIndex, 1);
  });
  const finalNorm = definition.finalNorm;
  const normalized =
    finalNorm === undefined
      ? hidden
      : normLayer(
          hidden,
          finalNorm,
          'finalNorm',
          conditionOf(normLayerOfSlot(finalNorm), conditions, 'finalNorm'),
        );
  const headLogits = lmHead(normalized, {
    vocabSize: definition.vocabSize,
    tied: definition.tieEmbeddings ?? false,
  });
  const cap = definition.logitSoftcap;
  const logits = cap === undefined ? headLogits : softcapLogits(headLogits, cap);
  const outputs: Record<string, Node> = { logits };
  const state: Record<string, string> = {};
  // KV caches, and the recurrent S (and z) of linear-attention layers, kept on the device.
  for (const entry of states) {
    const inputName = String(entry.input.attrs.name);
    outputs[`${inputName}.next`] = entry.output;
    state[inputName] = `${inputName}.next`;
  }
  return { graph: makeGraph(outputs), state, seqDim: SEQ_DIM };
}

/** The layout option of the KV caches: rolling, per-KV-head or landmark (by kind), or none (right-aligned). */
function cacheLayoutOption(layout: CacheLayout | undefined): Partial<KvCacheOptions> {
  if (layout === undefined) return {};
  if (!('kind' in layout)) return { rolling: layout };
  if (layout.kind === 'heavyHitter') return { heavyHitter: layout };
  if (layout.kind === 'landmark') return { landmark: layout };
  return layout.kind === 'nats' ? { nats: layout } : { lte: layout };
}

/** `c · tanh(logits / c)`, labelled `logitSoftcap`. */
function softcapLogits(logits: Node, cap: number): Node {
  if (!(Number.isFinite(cap) && cap > 0)) {
    throw new SpecError('decoder: option "logitSoftcap" must be a positive number', {
      block: 'decoder',
      expected: 'a finite number > 0',
      actual: cap,
    });
  }
  return withLabel('logitSoftcap', () =>
    mapElements([logits], variable('$0').div(cap).apply('tanh').mul(cap)),
  );
}
