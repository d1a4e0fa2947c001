import { keyPadding } from '@weft/attention';
import {
  add,
  type Graph,
  gather,
  input,
  literal,
  makeGraph,
  mapElements,
  type Node,
  param,
  reshape,
  symbolicDim,
  tanh,
  tensorRef,
  variable,
  withLabel,
} from '@weft/ir';
import { linear } from '../blocks/linear.js';
import type { MlpOptions } from '../blocks/mlp.js';
import { type NormLayerLike, normLayer, toNormLayer } from '../blocks/norm-layer.js';
import { layerNormLayer } from '../blocks/norm-layers.js';
import { layerAttention, type StackAttention, transformerStack } from '../blocks/stacks.js';
import { attentionWith, checkDefinitionKeys, checkPositiveIntegers } from './definition-checks.js';

/**
 * A BERT-style encoder as plain data (Devlin et al. 2019): token + learned position (+ token
 * type) embeddings and a LayerNorm, `layers` post-norm bidirectional blocks with a key padding
 * mask from the sequence lengths, and a pooled output `tanh(W h_CLS + b)`.
 */
export interface EncoderDefinition {
  /** Number of tokens in the vocabulary. */
  readonly vocabSize: number;
  /** Width of the residual stream. */
  readonly dModel: number;
  /** Number of blocks (`layers.{i}`). */
  readonly layers: number;
  /** Longest sequence (rows of the learned position table). */
  readonly maxSeq: number;
  /**
   * Every block's attention (`attention({...})` or its options; BERT: `bias: true, outputBias: true`),
   * or `(layer) => attention` for per-layer variants (ModernBERT's global and local layers).
   * Made bidirectional; the key padding mask is added after the attention's own mask.
   */
  readonly attention: StackAttention;
  /** Every block's MLP (BERT: `{ kind: 'gelu', hidden: 4d, bias: true }`). */
  readonly mlp: MlpOptions;
  /** The norm after the embeddings and after every sublayer (post-norm). Default `layerNormLayer({ eps: 1e-12 })`. */
  readonly norm?: NormLayerLike;
  /** Token types (segments): adds `embedding.tokenTypes[typeIds]` and the input `tokenTypes`. None when absent. */
  readonly typeVocabSize?: number;
  /** Compute the pooled output `tanh(W h_CLS + b)`. Default true. */
  readonly pooler?: boolean;
}

/** Options of {@link buildEncoderGraph}, {@link buildVitGraph} and {@link buildDitGraph}. */
export interface ArchitectureGraphOptions {
  /** Samples per run (a static batch size). Default 1. */
  readonly batch?: number;
}

const ENCODER_KEYS = [
  'vocabSize',
  'dModel',
  'layers',
  'maxSeq',
  'attention',
  'mlp',
  'norm',
  'typeVocabSize',
  'pooler',
];

/** The symbolic dim of tokens per sequence in architecture graphs. */
export const ARCHITECTURE_SEQ_DIM = 'seq';

/**
 * Builds a BERT-style encoder graph from an {@link EncoderDefinition}.
 *
 * Inputs: `tokens` `[batch, seq]` i32, `lengths` `[batch]` i32 (valid tokens per sequence; keys
 * at or past the length are masked), and `tokenTypes` `[batch, seq]` i32 with `typeVocabSize`.
 * Outputs: `hidden` `[batch, seq, d]` and `pooled` `[batch, d]`.
 *
 * Parameters: `embedding.tokens` `[V, d]`, `embedding.positions` `[maxSeq, d]`,
 * `embedding.tokenTypes` `[typeVocabSize, d]`, `embedding.norm.*`; per block `layers.{i}.attn.wqkv`
 * (`.bqkv` with `bias`), `layers.{i}.attn.wo` (`.bo` with `outputBias`), `layers.{i}.attnNorm.*`, `layers.{i}.mlp.*`,
 * `layers.{i}.mlpNorm.*`; `pooler.weight` `[d, d]`, `pooler.bias` `[d]`.
 *
 * @example
 * ```ts fragment
 * const graph = buildEncoderGraph({
 *   vocabSize: 30522, dModel: 768, layers: 12, maxSeq: 512, typeVocabSize: 2,
 *   attention: { heads: 12, headDim: 64, bias: true, outputBias: true },
 *   mlp: { kind: 'gelu', hidden: 3072, bias: true },
 * });
 * const program = await compile(graph, { device, params, extensions: [attention] });
 * ```
 */
export function buildEncoderGraph(
  definition: EncoderDefinition,
  options: ArchitectureGraphOptions = {},
): Graph {
  const block = 'encoder';
  checkDefinitionKeys(block, definition, ENCODER_KEYS, ['attention', 'mlp']);
  checkPositiveIntegers(block, definition, ['vocabSize', 'dModel', 'layers', 'maxSeq'], ['typeVocabSize']);
  const batch = options.batch ?? 1;
  checkPositiveIntegers(block, { batch }, ['batch']);
  const { vocabSize, dModel, maxSeq, typeVocabSize } = definition;
  const norm = toNormLayer(definition.norm ?? layerNormLayer({ eps: 1e-12 }), 'encoder.norm');
  const seq = symbolicDim(ARCHITECTURE_SEQ_DIM, { max: maxSeq });
  const tokens = input('tokens', [batch, seq], 'i32');
  const lengths = input('lengths', [batch], 'i32');
  const types = typeVocabSize === undefined ? undefined : input('tokenTypes', [batch, seq], 'i32');

  const embedded = withLabel('embedding', () => {
    const positionIds = mapElements([tokens], variable('i1', 'i32'));
    let sum = add(
      gather(param('embedding.tokens', [vocabSize, dModel]), tokens),
      gather(param('embedding.positions', [maxSeq, dModel]), positionIds),
    );
    if (types !== undefined)
      sum = add(sum, gather(param('embedding.tokenTypes', [typeVocabSize!, dModel]), types));
    return sum;
  });
  const stream = normLayer(embedded, norm, 'embedding.norm');

  const padding = keyPadding(tensorRef('lengths', [batch], 'i32'));
  const blockAttention = (layer: number) => {
    const attention = attentionWith(layerAttention(definition.attention, layer), block, {}, [padding]);
    return { ...attention, causal: false, tensors: { ...(attention.tensors ?? {}), lengths } };
  };
  const { output: hidden } = transformerStack(
    stream,
    definition.layers,
    { attention: blockAttention, mlp: definition.mlp, norm: { layer: norm, placement: 'post' } },
    'layers',
  );
  const outputs: Record<string, Node> = { hidden };
  if (definition.pooler ?? true) {
    outputs.pooled = withLabel('pooler', () => {
      const cls = reshape(gather(hidden, literal([0], [1], 'i32'), 1), [batch, dModel]);
      return tanh(linear(cls, { outFeatures: dModel, weight: 'pooler.weight', bias: 'pooler.bias' }));
    });
  }
  return makeGraph(outputs);
}
