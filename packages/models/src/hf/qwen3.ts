import type { HuggingFaceFamily } from './hf-family.js';
import {
  decoderTensorSizes,
  ignoredLlamaTensor,
  llamaParameterRecipe,
  unnamedParameter,
} from './llama-tensor-names.js';
import { plainRecipe } from './parameter-recipe.js';
import { qwenDecoderSpec } from './qwen-decoder-spec.js';

/**
 * `qwen3` (`Qwen3ForCausalLM`): Llama's layout with a per-head RMSNorm of queries and keys before
 * RoPE (`self_attn.q_norm.weight`, `k_norm.weight` `[head_dim]` → `layers.N.attn.qNorm.gamma`,
 * `kNorm.gamma`) and a `head_dim` of its own, mapped onto a version-2 spec.
 */
export const QWEN3_FAMILY: HuggingFaceFamily = {
  spec: (reader, maxSeq) =>
    qwenDecoderSpec(reader, maxSeq, { qkvBias: false, qkNorm: true, defaultHeadDim: 128 }),
  parameterRecipe: (parameter, spec) => {
    const norm = /^layers\.(\d+)\.attn\.(q|k)Norm\.gamma$/.exec(parameter.name);
    if (norm !== null)
      return plainRecipe(parameter, `model.layers.${norm[1]}.self_attn.${norm[2]}_norm.weight`);
    const recipe = llamaParameterRecipe(parameter, decoderTensorSizes(spec));
    if (recipe === undefined) throw unnamedParameter(parameter, 'Qwen3');
    return recipe;
  },
  ignoredTensor: (name, spec) => ignoredLlamaTensor(name, spec.config.tieEmbeddings),
};
