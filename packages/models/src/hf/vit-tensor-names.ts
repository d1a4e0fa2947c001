import { SpecError } from '@weft/ir';
import type { VitDefinition } from '../architectures/vit.js';
import { modelPrefix } from './hf-encoder-family.js';
import {
  copiedFrom,
  linearFrom,
  type ParameterRecipe,
  queryKeyValueFrom,
  type WeftParameter,
} from './recipe-parts.js';

/** How a ViT checkpoint names its tensors, read from the names themselves. */
export interface VitCheckpointLayout {
  /** `vit.` in the checkpoints of task models (`ViTForImageClassification`, ...), '' for `ViTModel`. */
  readonly prefix: string;
  /** Whether it holds the pooler (`pooler.dense.*`; classification checkpoints have none). */
  readonly pooler: boolean;
}

/**
 * Reads the layout of a ViT checkpoint from its tensor names.
 *
 * @example
 * ```ts
 * vitCheckpointLayout(new Set(['vit.embeddings.cls_token', 'classifier.weight'])); // { prefix: 'vit.', pooler: false }
 * ```
 */
export function vitCheckpointLayout(tensorNames: ReadonlySet<string>): VitCheckpointLayout {
  const prefix = modelPrefix(tensorNames, 'vit.', 'embeddings.');
  return {
    prefix,
    pooler: tensorNames.has(`${prefix}pooler.dense.weight`) || tensorNames.has(`${prefix}pooler.dense.bias`),
  };
}

/**
 * Stored tensors of a ViT checkpoint that `ViTModel` does not read on unmasked images: the
 * `mask_token` of masked image modeling, and, under a `vit.` prefix, the task model's heads
 * (`classifier.*`, `decoder.*`).
 */
export function ignoredVitTensor(name: string, layout: VitCheckpointLayout): boolean {
  const { prefix } = layout;
  if (name === `${prefix}embeddings.mask_token`) return true;
  return prefix !== '' && !name.startsWith(prefix);
}

/**
 * The checkpoint tensors behind a parameter of `buildVitGraph` for a Hugging Face `ViTModel`:
 * `embeddings.cls_token`, `embeddings.position_embeddings` (`[1, tokens, d]`),
 * `embeddings.patch_embeddings.projection` (the conv weight `[d, channels, P, P]` as stored),
 * `encoder.layer.N.{layernorm_before, attention.attention.{query,key,value}, attention.output.dense,
 * layernorm_after, intermediate.dense, output.dense}`, `layernorm`, `pooler.dense`. Linear weights
 * are transposed from `[out, in]`.
 *
 * @throws SpecError for a parameter ViT's naming does not cover.
 */
export function vitParameterRecipe(
  parameter: WeftParameter,
  definition: VitDefinition,
  layout: VitCheckpointLayout,
): ParameterRecipe {
  const { name } = parameter;
  const d = definition.dModel;
  const hidden = definition.mlp.hidden;
  const { prefix } = layout;
  const embeddings = `${prefix}embeddings`;
  const layerNorm = (path: string) =>
    copiedFrom(parameter, `${path}.${name.endsWith('.gamma') ? 'weight' : 'bias'}`);
  switch (name) {
    case 'patch.weight':
      return copiedFrom(parameter, `${embeddings}.patch_embeddings.projection.weight`);
    case 'patch.bias':
      return copiedFrom(parameter, `${embeddings}.patch_embeddings.projection.bias`);
    case 'cls':
      return copiedFrom(parameter, `${embeddings}.cls_token`);
    case 'positions':
      return copiedFrom(parameter, `${embeddings}.position_embeddings`, [1, ...parameter.shape]);
    case 'finalNorm.gamma':
    case 'finalNorm.beta':
      return layerNorm(`${prefix}layernorm`);
    case 'pooler.weight':
      return linearFrom(parameter, d, [`${prefix}pooler.dense.weight`, d]);
    case 'pooler.bias':
      return copiedFrom(parameter, `${prefix}pooler.dense.bias`);
  }
  const match = /^layers\.(\d+)\.(.+)$/.exec(name);
  const layer = `${prefix}encoder.layer.${match?.[1]}`;
  const self = `${layer}.attention.attention`;
  switch (match?.[2]) {
    case 'attnNorm.gamma':
    case 'attnNorm.beta':
      return layerNorm(`${layer}.layernorm_before`);
    case 'attn.wqkv':
      return queryKeyValueFrom(parameter, d, self, 'weight');
    case 'attn.bqkv':
      return queryKeyValueFrom(parameter, d, self, 'bias');
    case 'attn.wo':
      return linearFrom(parameter, d, [`${layer}.attention.output.dense.weight`, d]);
    case 'attn.bo':
      return copiedFrom(parameter, `${layer}.attention.output.dense.bias`);
    case 'mlpNorm.gamma':
    case 'mlpNorm.beta':
      return layerNorm(`${layer}.layernorm_after`);
    case 'mlp.wUp':
      return linearFrom(parameter, d, [`${layer}.intermediate.dense.weight`, hidden]);
    case 'mlp.bUp':
      return copiedFrom(parameter, `${layer}.intermediate.dense.bias`);
    case 'mlp.wDown':
      return linearFrom(parameter, hidden, [`${layer}.output.dense.weight`, d]);
    case 'mlp.bDown':
      return copiedFrom(parameter, `${layer}.output.dense.bias`);
    default:
      throw new SpecError(`Hugging Face loader: no ViT checkpoint name for Weft parameter "${name}"`, {
        tensor: name,
        expected: 'a parameter of a ViT backbone',
      });
  }
}
