import type { ModelSpecV2 } from '../spec/model-spec-v2-types.js';
import type { HuggingFaceMapping } from './hf-mapping.js';
import {
  decoderCheckpointRecipes,
  decoderTensorSizes,
  ignoredLlamaTensor,
  llamaParameterRecipe,
} from './llama-tensor-names.js';
import { qwenDecoderSpec } from './qwen-decoder-spec.js';
import { concatenatedFrom } from './recipe-parts.js';

/**
 * `qwen2` (`Qwen2ForCausalLM`, Qwen2 and Qwen2.5): Llama's layout with biases on `q_proj`,
 * `k_proj` and `v_proj` (fused into `layers.N.attn.bqkv`), mapped onto a version-2 spec.
 */
export const QWEN2_MAPPING: HuggingFaceMapping<ModelSpecV2> = {
  spec: (reader, maxSeq) =>
    qwenDecoderSpec(reader, maxSeq, { qkvBias: true, qkNorm: false, defaultHeadDim: undefined }),
  recipes: (spec) => {
    const sizes = decoderTensorSizes(spec);
    return decoderCheckpointRecipes(spec, 'Qwen2', (parameter) => {
      const bias = /^layers\.(\d+)\.attn\.bqkv$/.exec(parameter.name);
      if (bias === null) return llamaParameterRecipe(parameter, sizes);
      const attention = `model.layers.${bias[1]}.self_attn`;
      return concatenatedFrom(
        parameter,
        [`${attention}.q_proj.bias`, sizes.heads * sizes.headDim],
        [`${attention}.k_proj.bias`, sizes.kvHeads * sizes.headDim],
        [`${attention}.v_proj.bias`, sizes.kvHeads * sizes.headDim],
      );
    });
  },
  ignored: (name, spec) => ignoredLlamaTensor(name, spec.config.tieEmbeddings),
};
