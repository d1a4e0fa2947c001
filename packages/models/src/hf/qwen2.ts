import type { HuggingFaceFamily } from './hf-family.js';
import {
  decoderTensorSizes,
  ignoredLlamaTensor,
  llamaParameterRecipe,
  unnamedParameter,
} from './llama-tensor-names.js';
import { fusedBiasRecipe } from './parameter-recipe.js';
import { qwenDecoderSpec } from './qwen-decoder-spec.js';

/**
 * `qwen2` (`Qwen2ForCausalLM`, Qwen2 and Qwen2.5): Llama's layout with biases on `q_proj`,
 * `k_proj` and `v_proj` (fused into `layers.N.attn.bqkv`), mapped onto a version-2 spec.
 */
export const QWEN2_FAMILY: HuggingFaceFamily = {
  spec: (reader, maxSeq) =>
    qwenDecoderSpec(reader, maxSeq, { qkvBias: true, qkNorm: false, defaultHeadDim: undefined }),
  parameterRecipe: (parameter, spec) => {
    const sizes = decoderTensorSizes(spec);
    const bias = /^layers\.(\d+)\.attn\.bqkv$/.exec(parameter.name);
    if (bias !== null) {
      const attention = `model.layers.${bias[1]}.self_attn`;
      return fusedBiasRecipe(
        parameter,
        [`${attention}.q_proj.bias`, sizes.heads * sizes.headDim],
        [`${attention}.k_proj.bias`, sizes.kvHeads * sizes.headDim],
        [`${attention}.v_proj.bias`, sizes.kvHeads * sizes.headDim],
      );
    }
    const recipe = llamaParameterRecipe(parameter, sizes);
    if (recipe === undefined) throw unnamedParameter(parameter, 'Qwen2');
    return recipe;
  },
  ignoredTensor: (name, spec) => ignoredLlamaTensor(name, spec.config.tieEmbeddings),
};
