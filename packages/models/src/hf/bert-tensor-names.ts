import { SpecError } from '@weft/ir';
import type { EncoderDefinition } from '../architectures/encoder.js';
import { modelPrefix } from './hf-encoder-family.js';
import {
  copiedFrom,
  linearFrom,
  type ParameterRecipe,
  queryKeyValueFrom,
  type WeftParameter,
} from './recipe-parts.js';

/** How a BERT checkpoint names its tensors, read from the names themselves. */
export interface BertCheckpointLayout {
  /** `bert.` in the checkpoints of task models (`BertForMaskedLM`, ...), '' for `BertModel`. */
  readonly prefix: string;
  /** Whether it holds the pooler (`pooler.dense.*`; masked-LM checkpoints have none). */
  readonly pooler: boolean;
  /** LayerNorm parameter names: `weight`/`bias`, or `gamma`/`beta` in checkpoints converted from TensorFlow. */
  readonly layerNorm: { readonly gain: 'weight' | 'gamma'; readonly shift: 'bias' | 'beta' };
}

/**
 * Reads the layout of a BERT checkpoint from its tensor names.
 *
 * @example
 * ```ts
 * bertCheckpointLayout(new Set(['bert.embeddings.word_embeddings.weight'])).prefix; // 'bert.'
 * ```
 */
export function bertCheckpointLayout(tensorNames: ReadonlySet<string>): BertCheckpointLayout {
  const prefix = modelPrefix(tensorNames, 'bert.', 'embeddings.');
  const tensorFlowNames = tensorNames.has(`${prefix}embeddings.LayerNorm.gamma`);
  return {
    prefix,
    pooler: tensorNames.has(`${prefix}pooler.dense.weight`) || tensorNames.has(`${prefix}pooler.dense.bias`),
    layerNorm: tensorFlowNames ? { gain: 'gamma', shift: 'beta' } : { gain: 'weight', shift: 'bias' },
  };
}

/**
 * Stored tensors of a BERT checkpoint that `BertModel` does not read: the `position_ids` and
 * `token_type_ids` buffers (`arange` and zeros, recomputed), and, under a `bert.` prefix, the
 * task model's heads (`cls.*`, `classifier.*`, `qa_outputs.*`).
 */
export function ignoredBertTensor(name: string, layout: BertCheckpointLayout): boolean {
  const { prefix } = layout;
  if (name === `${prefix}embeddings.position_ids` || name === `${prefix}embeddings.token_type_ids`)
    return true;
  return prefix !== '' && !name.startsWith(prefix);
}

/**
 * The checkpoint tensors behind a parameter of `buildEncoderGraph` for a Hugging Face `BertModel`:
 * `embeddings.{word,position,token_type}_embeddings`, `embeddings.LayerNorm`,
 * `encoder.layer.N.attention.self.{query,key,value}` (fused into `wqkv`, `bqkv`),
 * `attention.output.{dense,LayerNorm}`, `intermediate.dense`, `output.{dense,LayerNorm}`,
 * `pooler.dense`. Linear weights are transposed from `[out, in]`.
 *
 * @throws SpecError for a parameter BERT's naming does not cover.
 */
export function bertParameterRecipe(
  parameter: WeftParameter,
  definition: EncoderDefinition,
  layout: BertCheckpointLayout,
): ParameterRecipe {
  const { name } = parameter;
  const d = definition.dModel;
  const hidden = definition.mlp.hidden;
  const { prefix } = layout;
  const layerNorm = (path: string) =>
    copiedFrom(
      parameter,
      `${path}.${name.endsWith('.gamma') ? layout.layerNorm.gain : layout.layerNorm.shift}`,
    );
  const embeddings = `${prefix}embeddings`;
  switch (name) {
    case 'embedding.tokens':
      return copiedFrom(parameter, `${embeddings}.word_embeddings.weight`);
    case 'embedding.positions':
      return copiedFrom(parameter, `${embeddings}.position_embeddings.weight`);
    case 'embedding.tokenTypes':
      return copiedFrom(parameter, `${embeddings}.token_type_embeddings.weight`);
    case 'embedding.norm.gamma':
    case 'embedding.norm.beta':
      return layerNorm(`${embeddings}.LayerNorm`);
    case 'pooler.weight':
      return linearFrom(parameter, d, [`${prefix}pooler.dense.weight`, d]);
    case 'pooler.bias':
      return copiedFrom(parameter, `${prefix}pooler.dense.bias`);
  }
  const match = /^layers\.(\d+)\.(.+)$/.exec(name);
  const layer = `${prefix}encoder.layer.${match?.[1]}`;
  const self = `${layer}.attention.self`;
  switch (match?.[2]) {
    case 'attn.wqkv':
      return queryKeyValueFrom(parameter, d, self, 'weight');
    case 'attn.bqkv':
      return queryKeyValueFrom(parameter, d, self, 'bias');
    case 'attn.wo':
      return linearFrom(parameter, d, [`${layer}.attention.output.dense.weight`, d]);
    case 'attn.bo':
      return copiedFrom(parameter, `${layer}.attention.output.dense.bias`);
    case 'attnNorm.gamma':
    case 'attnNorm.beta':
      return layerNorm(`${layer}.attention.output.LayerNorm`);
    case 'mlp.wUp':
      return linearFrom(parameter, d, [`${layer}.intermediate.dense.weight`, hidden]);
    case 'mlp.bUp':
      return copiedFrom(parameter, `${layer}.intermediate.dense.bias`);
    case 'mlp.wDown':
      return linearFrom(parameter, hidden, [`${layer}.output.dense.weight`, d]);
    case 'mlp.bDown':
      return copiedFrom(parameter, `${layer}.output.dense.bias`);
    case 'mlpNorm.gamma':
    case 'mlpNorm.beta':
      return layerNorm(`${layer}.output.LayerNorm`);
    default:
      throw new SpecError(`Hugging Face loader: no BERT checkpoint name for Weft parameter "${name}"`, {
        tensor: name,
        expected: 'a parameter of a BERT-style encoder',
      });
  }
}
