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
  slice,
  symbolicDim,
  variable,
  withLabel,
} from '@weft/ir';
import type { KvCacheOptions } from '../blocks/kv-cache.js';
import { lmHead } from '../blocks/lm-head.js';
import { type NormLayerLike, normLayer } from '../blocks/norm-layer.js';
import {
  type EncoderDecoderBlockOptions,
  encoderDecoderAttention,
  encoderStack,
  transformerStack,
} from '../blocks/stacks.js';
import { type EmbeddingPositions, tokenEmbedding } from '../blocks/token-embedding.js';
import { attentionWith, checkDefinitionKeys, checkPositiveIntegers } from './definition-checks.js';

/**
 * An encoder–decoder transformer as plain data (Vaswani et al. 2017; T5, BART): a bidirectional
 * encoder over the source tokens, a causal decoder whose blocks cross-attend to the encoder
 * output, and an LM head over the target vocabulary.
 */
export interface EncoderDecoderDefinition {
  /** Source vocabulary size. */
  readonly sourceVocabSize: number;
  /** Target vocabulary size (the logits' width). */
  readonly targetVocabSize: number;
  /** Width of the residual streams (encoder and decoder). */
  readonly dModel: number;
  /** Encoder blocks (`encoder.layers.{i}`). */
  readonly encoderLayers: number;
  /** Decoder blocks (`decoder.layers.{i}`). */
  readonly decoderLayers: number;
  /** Longest source sequence. */
  readonly maxSourceSeq: number;
  /** Longest target sequence (the decoder's KV cache slots). */
  readonly maxTargetSeq: number;
  /** The encoder's blocks (made bidirectional). */
  readonly encoderBlock: EncoderDecoderBlockOptions;
  /**
   * The decoder's blocks (causal self-attention); each also cross-attends to the encoder output
   * with its self-attention's heads and head dim, between self-attention and MLP. Default: `encoderBlock`.
   */
  readonly decoderBlock?: EncoderDecoderBlockOptions;
  /** The norm after each stack (`encoder.finalNorm`, `decoder.finalNorm`); none when absent (post-norm models). */
  readonly finalNorm?: NormLayerLike;
  /** Absolute positions added to both embeddings; none by default (RoPE or ALiBi live in attention). */
  readonly embeddingPositions?: EmbeddingPositions;
  /** Reuse the target embedding `decoder.embedding.tokens` as the LM head. Default false. */
  readonly tieEmbeddings?: boolean;
}

/** Which program of an encoder–decoder to build. */
export type EncoderDecoderMode =
  /** `source [B, sourceSeq]`, `target [B, seq]` → `logits [B, seq, V]`: teacher forcing, no cache. */
  | 'forward'
  /** `source [B, sourceSeq]` → `memory [B, sourceSeq, d]`: the encoder alone. */
  | 'encode'
  /**
   * `memory [B, sourceSeq, d]`, `target [B, seq]`, `past [B]` → `logits [B, 1, V]` of the last
   * position, with self-attention KV caches `[B, H, maxTargetSeq, dk]`: every sequence takes `seq`
   * new tokens per run (the tests decode batches whose sequences have the same `past`).
   */
  | 'step';

/** Options of {@link buildEncoderDecoderGraph}. */
export interface EncoderDecoderGraphOptions {
  /** Which program. */
  readonly mode: EncoderDecoderMode;
  /** Sequences per run. Default 1. */
  readonly batch?: number;
}

/** An encoder–decoder program as a graph, with its persistent state. */
export interface EncoderDecoderGraph {
  /** The graph. */
  readonly graph: Graph;
  /** Persistent state `{ cacheInput: cacheOutput }` (`step` mode only). */
  readonly state: Readonly<Record<string, string>>;
}

const ENCODER_DECODER_KEYS = [
  'sourceVocabSize',
  'targetVocabSize',
  'dModel',
  'encoderLayers',
  'decoderLayers',
  'maxSourceSeq',
  'maxTargetSeq',
  'encoderBlock',
  'decoderBlock',
  'finalNorm',
  'embeddingPositions',
  'tieEmbeddings',
];

/** The symbolic dim of source tokens per run. */
export const SOURCE_SEQ_DIM = 'sourceSeq';

/**
 * Builds one program of an encoder–decoder from an {@link EncoderDecoderDefinition}: `forward`
 * (both stacks), `encode` (the encoder) or `step` (the decoder against the encoder output
 * `memory`, appending to self-attention KV caches of `maxTargetSeq` slots, state inputs
 * `decoder.layers.{i}.attn.cache.key|value`; cross-attention keys and values are recomputed
 * from `memory` at every step). The target length is the symbolic dim `seq`, the source's `sourceSeq`.
 *
 * Parameters: `encoder.embedding.tokens` `[V_src, d]` (`.positions` `[max, d]` with
 * learned positions), `encoder.layers.{i}.*`, `encoder.finalNorm.*`; `decoder.embedding.tokens`
 * `[V_tgt, d]` (`.positions` `[max, d]`), `decoder.layers.{i}.attn.*`,
 * `decoder.layers.{i}.cross.wq` `[d, H·dk]`, `.wkv` `[d, 2·Hkv·dk]`, `.wo`,
 * `decoder.layers.{i}.crossNorm.*`, `decoder.layers.{i}.mlp.*`, `decoder.finalNorm.*`; `head.weight`
 * `[V_tgt, d]` unless tied.
 *
 * @example
 * ```ts
 * const definition: EncoderDecoderDefinition = {
 *   sourceVocabSize: 32000, targetVocabSize: 32000, dModel: 512, encoderLayers: 6, decoderLayers: 6,
 *   maxSourceSeq: 512, maxTargetSeq: 512, finalNorm: layerNormLayer(),
 *   encoderBlock: { attention: { heads: 8, headDim: 64 }, mlp: { kind: 'gelu', hidden: 2048 }, norm: layerNormLayer() },
 *   embeddingPositions: { kind: 'sinusoidal' },
 * };
 * const encode = buildEncoderDecoderGraph(definition, { mode: 'encode' });
 * const step = buildEncoderDecoderGraph(definition, { mode: 'step' }); // compile with { state: step.state }
 * ```
 */
export function buildEncoderDecoderGraph(
  definition: EncoderDecoderDefinition,
  options: EncoderDecoderGraphOptions,
): EncoderDecoderGraph {
  const block = 'encoder-decoder';
  checkDefinitionKeys(block, definition, ENCODER_DECODER_KEYS, ['encoderBlock']);
  checkPositiveIntegers(block, definition, [
    'sourceVocabSize',
    'targetVocabSize',
    'dModel',
    'encoderLayers',
    'decoderLayers',
    'maxSourceSeq',
    'maxTargetSeq',
  ]);
  const mode = options.mode;
  if (mode !== 'forward' && mode !== 'encode' && mode !== 'step')
    throw new SpecError(`${block}: unknown mode`, {
      block,
      expected: "'forward' | 'encode' | 'step'",
      actual: String(mode),
    });
  const batch = options.batch ?? 1;
  checkPositiveIntegers(block, { batch }, ['batch']);
  const { dModel } = definition;
  const positions = definition.embeddingPositions;
  const sourceSeq = symbolicDim(SOURCE_SEQ_DIM, { max: definition.maxSourceSeq });

  const embed = (tokens: Node, vocabSize: number, max: number, name: string, offset?: Node) => {
    const step = variable('i1', 'i32');
    const positionIds =
      offset === undefined
        ? mapElements([tokens], step)
        : mapElements([tokens, reshape(offset, [batch, 1])], variable('$1', 'i32').add(step));
    if (positions?.kind === 'learned' && !(positions.max >= max)) {
      throw new SpecError(
        `${block}: learned positions of ${positions.max} rows are fewer than ${name}'s ${max} tokens`,
        {
          block: name,
          expected: `embeddingPositions.max >= ${max}`,
          actual: positions.max,
        },
      );
    }
    return tokenEmbedding(tokens, {
      vocabSize,
      dModel,
      name,
      ...(positions === undefined ? {} : { positions, positionIds }),
    });
  };
  const finish = (x: Node, name: string) =>
    definition.finalNorm === undefined ? x : normLayer(x, definition.finalNorm, name);

  const encode = (): Node => {
    const source = input('source', [batch, sourceSeq], 'i32');
    const embedded = embed(source, definition.sourceVocabSize, definition.maxSourceSeq, 'encoder.embedding');
    const encoderBlock = {
      ...definition.encoderBlock,
      attention: checkedAttention(definition.encoderBlock, 'encoder'),
    };
    return finish(
      encoderStack(embedded, definition.encoderLayers, encoderBlock, 'encoder.layers'),
      'encoder.finalNorm',
    );
  };
  if (mode === 'encode') return { graph: makeGraph({ memory: encode() }), state: {} };

  const memory = mode === 'step' ? input('memory', [batch, sourceSeq, dModel]) : encode();
  const seq = symbolicDim('seq', { max: definition.maxTargetSeq });
  const target = input('target', [batch, seq], 'i32');
  const past = mode === 'step' ? input('past', [batch], 'i32') : undefined;
  const embedded = embed(
    target,
    definition.targetVocabSize,
    definition.maxTargetSeq,
    'decoder.embedding',
    past,
  );
  const cache: KvCacheOptions | undefined =
    past === undefined ? undefined : { maxSeq: definition.maxTargetSeq, past };
  const decoderBlock = definition.decoderBlock ?? definition.encoderBlock;
  const selfAttention = checkedAttention(decoderBlock, 'decoder');
  const { output, states } = transformerStack(
    embedded,
    definition.decoderLayers,
    (layer) => {
      const attention = encoderDecoderAttention(selfAttention, layer, `decoder.layers.${layer}`);
      const { heads, headDim, kvHeads } = attentionWith(attention, 'decoder', {});
      const cross = {
        memory,
        heads: typeof heads === 'number' ? heads : heads.heads,
        headDim,
        ...(kvHeads === undefined ? {} : { kvHeads }),
      };
      return {
        ...decoderBlock,
        attention,
        crossAttention: cross,
        ...(cache === undefined ? {} : { cache }),
      };
    },
    'decoder.layers',
  );
  // Step mode reads out the last position only (index seq − 1, the same for every sequence; the
  // body reads `past` so the kernel binds it).
  const hidden =
    past === undefined
      ? output
      : withLabel('lastToken', () =>
          gather(
            output,
            mapElements(
              [batch === 1 ? past : slice(past, [0], [1])],
              variable('$0', 'i32')
                .ge(constant(0, 'i32'))
                .select(dimExpr(seq).sub(constant(1, 'i32')), constant(0, 'i32')),
            ),
            1,
          ),
        );
  const logits = lmHead(finish(hidden, 'decoder.finalNorm'), {
    vocabSize: definition.targetVocabSize,
    tied: definition.tieEmbeddings ?? false,
    embeddingName: 'decoder.embedding.tokens',
  });
  const outputs: Record<string, Node> = { logits };
  const state: Record<string, string> = {};
  for (const entry of states) {
    const name = String(entry.input.attrs.name);
    outputs[`${name}.next`] = entry.output;
    state[name] = `${name}.next`;
  }
  return { graph: makeGraph(outputs), state };
}

/** A stack's block options must be an object with an attention; the SpecError names the stack. */
function checkedAttention(
  block: EncoderDecoderBlockOptions,
  stack: string,
): EncoderDecoderBlockOptions['attention'] {
  if (typeof block !== 'object' || block === null || block.attention === undefined) {
    throw new SpecError(`encoder-decoder: option "${stack}Block" needs an attention`, {
      block: `${stack}.layers`,
      expected: '{ attention, mlp, norm }',
      actual: block === null ? 'null' : typeof block,
    });
  }
  return block.attention;
}
