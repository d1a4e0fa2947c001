import type { ModelSpecV2 } from '../spec/model-spec-v2-types.js';
import type { HuggingFaceMapping } from './hf-mapping.js';
import {
  decoderCheckpointRecipes,
  decoderTensorSizes,
  ignoredLlamaTensor,
  llamaParameterRecipe,
} from './llama-tensor-names.js';
import { qwenDecoderSpec } from './qwen-decoder-spec.js';
import { copiedFrom } from './recipe-parts.js';

/**
 * `qwen3` (`Qwen3ForCausalLM`): Llama's layout with a per-head RMSNorm of queries and keys before
 * RoPE (`self_attn.q_norm.weight`, `k_norm.weight` `[head_dim]` → `layers.N.attn.qNorm.gamma`,
 * `kNorm.gamma`) and a `head_dim` of its own, mapped onto a version-2 spec. With `attention_bias`,
 * `q_proj`, `k_proj`, `v_proj` and `o_proj` carry biases (→ `layers.N.attn.bqkv`, `attn.bo`).
 */
export const QWEN3_MAPPING: HuggingFaceMapping<ModelSpecV2> = {
  spec: (reader, maxSeq) =>
    qwenDecoderSpec(reader, maxSeq, { qkvBias: 'attention_bias', qkNorm: true, defaultHeadDim: 128 }),
  recipes: (spec) => {
    const sizes = decoderTensorSizes(spec);
    return decoderCheckpointRecipes(spec, 'Qwen3', (parameter) => {
      const norm = /^layers\.(\d+)\.attn\.(q|k)Norm\.gamma$/.exec(parameter.name);
      if (norm !== null)
        return copiedFrom(parameter, `model.layers.${norm[1]}.self_attn.${norm[2]}_norm.weight`);
      return llamaParameterRecipe(parameter, sizes);
    });
  },
  ignored: (name, spec) => ignoredLlamaTensor(name, spec.config.tieEmbeddings),
};
