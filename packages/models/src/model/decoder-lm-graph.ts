import { alibi, nope, type Position, rope } from '@weft/attention';
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
  symbolicDim,
  variable,
  withLabel,
} from '@weft/ir';
import type { KvCacheOptions } from '../blocks/kv-cache.js';
import { lmHead } from '../blocks/lm-head.js';
import { normLayer } from '../blocks/norm-layer.js';
import { transformerStack } from '../blocks/stacks.js';
import { type EmbeddingPositions, tokenEmbedding } from '../blocks/token-embedding.js';
import type { TransformerBlockOptions } from '../blocks/transformer-block.js';
import type { DecoderLmConfig } from '../spec/model-spec-types.js';

/** Which program of a decoder LM to build. */
export type DecoderGraphMode =
  /** All positions at once, no cache: `tokens [batch, seq]` → `logits [batch, seq, V]`. */
  | 'forward'
  /** One generation step against the KV caches: `tokens [1, seq]`, `past [1]` → `logits [1, 1, V]` of the last position. */
  | 'step';

/** Options of {@link buildDecoderLmGraph}. */
export interface DecoderLmGraphOptions {
  /** Which program. */
  readonly mode: DecoderGraphMode;
  /** Sequences per run in `forward` mode. Default 1 (`step` is always 1). */
  readonly batch?: number;
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

/**
 * Builds a decoder-only LM from its config: token embedding (+ learned or sinusoidal positions),
 * `layers` transformer blocks (`layers.{i}`; RoPE / ALiBi / NoPE inside attention), a final norm
 * (`finalNorm`, absent with post-norm) and the LM head (`head.weight`, or tied to
 * `embedding.tokens`).
 *
 * In `step` mode every attention appends its new keys and values to caches of `maxSeq` slots
 * (state inputs `layers.{i}.attn.cache.key|value`, outputs with `.next` appended) and only the
 * last position goes through the head.
 *
 * @example
 * ```ts
 * import { attention } from '@weft/attention/kernels';
 *
 * const { graph, state } = buildDecoderLmGraph(spec.config, { mode: 'step' });
 * const program = await compile(graph, { device, params, state, extensions: [attention] });
 * ```
 */
export function buildDecoderLmGraph(config: DecoderLmConfig, options: DecoderLmGraphOptions): DecoderLmGraph {
  const step = options.mode === 'step';
  const batch = step ? 1 : (options.batch ?? 1);
  const seq = symbolicDim(SEQ_DIM, { max: config.maxSeq });
  const tokens = input(TOKENS_INPUT, [batch, seq], 'i32');
  const past = step ? input(PAST_INPUT, [1], 'i32') : undefined;
  // Position of token (b, i): i, plus the cached tokens when stepping.
  const tokenPosition = variable('i1', 'i32');
  const positionIds =
    past === undefined
      ? mapElements([tokens], tokenPosition)
      : mapElements([tokens, reshape(past, [1, 1])], variable('$1', 'i32').add(tokenPosition));
  const embeddingPositions = embeddingPositionsOf(config);
  const embedded = tokenEmbedding(tokens, {
    vocabSize: config.vocabSize,
    dModel: config.dModel,
    ...(embeddingPositions === undefined ? {} : { positions: embeddingPositions, positionIds }),
  });
  const cache: KvCacheOptions | undefined = past === undefined ? undefined : { maxSeq: config.maxSeq, past };
  const block = blockOptions(config, cache);
  const { output, caches } = transformerStack(embedded, config.layers, () => block, 'layers');
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
  const normalized = config.norm.placement === 'post' ? hidden : normLayer(hidden, config.norm, 'finalNorm');
  const logits = lmHead(normalized, { vocabSize: config.vocabSize, tied: config.tieEmbeddings });
  const outputs: Record<string, Node> = { logits };
  const state: Record<string, string> = {};
  for (const { key, value } of caches) {
    for (const entry of [key, value]) {
      const inputName = String(entry.input.attrs.name);
      outputs[`${inputName}.next`] = entry.output;
      state[inputName] = `${inputName}.next`;
    }
  }
  return { graph: makeGraph(outputs), state, seqDim: SEQ_DIM };
}

/** The per-layer block options a config describes. */
export function blockOptions(config: DecoderLmConfig, cache?: KvCacheOptions): TransformerBlockOptions {
  return {
    attention: {
      heads: config.heads,
      kvHeads: config.kvHeads,
      headDim: config.headDim,
      positions: attentionPositionsOf(config),
    },
    mlp: config.mlp,
    norm: config.norm,
    ...(cache === undefined ? {} : { cache }),
  };
}

function attentionPositionsOf(config: DecoderLmConfig): Position {
  const { positions } = config;
  if (positions.kind === 'rope') return rope({ base: positions.base, fraction: positions.fraction });
  return positions.kind === 'alibi' ? alibi() : nope();
}

function embeddingPositionsOf(config: DecoderLmConfig): EmbeddingPositions | undefined {
  const { positions } = config;
  if (positions.kind === 'learned') return { kind: 'learned', max: positions.max };
  return positions.kind === 'sinusoidal' ? { kind: 'sinusoidal' } : undefined;
}
