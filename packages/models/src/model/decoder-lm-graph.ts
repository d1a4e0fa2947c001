import { alibi, nope, type Position, rope } from '@weft/attention';
import type { KvCacheOptions } from '../blocks/kv-cache.js';
import type { EmbeddingPositions } from '../blocks/token-embedding.js';
import type { TransformerBlockOptions } from '../blocks/transformer-block.js';
import type { DecoderLmConfig } from '../spec/model-spec-types.js';
import {
  buildDecoderGraph,
  type DecoderLmDefinition,
  type DecoderLmGraph,
  type DecoderLmGraphOptions,
} from './decoder-graph.js';

/**
 * Builds a decoder-only LM from its config: token embedding (+ learned or sinusoidal positions),
 * `layers` transformer blocks (`layers.{i}`; RoPE / ALiBi / NoPE inside attention), a final norm
 * (`finalNorm`, absent with post-norm) and the LM head (`head.weight`, or tied to
 * `embedding.tokens`). The config maps onto a {@link DecoderLmDefinition} (see
 * {@link decoderDefinitionOf}) built by {@link buildDecoderGraph}.
 *
 * In `step` mode every attention appends its new keys and values to caches of `maxSeq` slots
 * (state inputs `layers.{i}.attn.cache.key|value`, outputs with `.next` appended) and only the
 * last position goes through the head.
 *
 * @example
 * ```ts fragment
 * import { attention } from '@weft/attention/kernels';
 *
 * const { graph, state } = buildDecoderLmGraph(spec.config, { mode: 'step' });
 * const program = await compile(graph, { device, params, state, extensions: [attention] });
 * ```
 */
export function buildDecoderLmGraph(config: DecoderLmConfig, options: DecoderLmGraphOptions): DecoderLmGraph {
  return buildDecoderGraph(decoderDefinitionOf(config), options);
}

/**
 * The {@link DecoderLmDefinition} a v1 config describes: the same blocks for every layer, the
 * final norm unless the norms are post-norm.
 *
 * @example
 * ```ts fragment
 * const definition = decoderDefinitionOf(parseModelSpec(TINY_LLAMA).config);
 * ```
 */
export function decoderDefinitionOf(config: DecoderLmConfig): DecoderLmDefinition {
  const embeddingPositions = embeddingPositionsOf(config);
  return {
    vocabSize: config.vocabSize,
    dModel: config.dModel,
    layers: config.layers,
    maxSeq: config.maxSeq,
    block: blockOptions(config),
    ...(config.norm.placement === 'post'
      ? {}
      : { finalNorm: { kind: config.norm.kind, eps: config.norm.eps } }),
    ...(embeddingPositions === undefined ? {} : { embeddingPositions }),
    tieEmbeddings: config.tieEmbeddings,
  };
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
    mlp: { kind: config.mlp.kind, hidden: config.mlp.hidden },
    norm: { kind: config.norm.kind, eps: config.norm.eps, placement: config.norm.placement },
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

export {
  buildDecoderGraph,
  type DecoderBlockOptions,
  type DecoderGraphMode,
  type DecoderLmDefinition,
  type DecoderLmGraph,
  type DecoderLmGraphOptions,
  PAST_INPUT,
  SEQ_DIM,
  TOKENS_INPUT,
} from './decoder-graph.js';
