import type { ModelSpecV2 } from '../spec/model-spec-v2-types.js';
import type { HuggingFaceMapping } from './hf-mapping.js';
import {
  decoderCheckpointRecipes,
  decoderTensorSizes,
  ignoredLlamaTensor,
  llamaParameterRecipe,
} from './llama-tensor-names.js';
import { qwenDecoderSpec } from './qwen-decoder-spec.js';

/**
 * `qwen2` (`Qwen2ForCausalLM`, Qwen2 and Qwen2.5): Llama's layout with biases on `q_proj`,
 * `k_proj` and `v_proj` (fused into `layers.N.attn.bqkv`), mapped onto a version-2 spec.
 */
export const QWEN2_MAPPING: HuggingFaceMapping<ModelSpecV2> = {
  spec: (reader, maxSeq) =>
    qwenDecoderSpec(reader, maxSeq, { qkvBias: 'always', qkNorm: false, defaultHeadDim: undefined }),
  recipes: (spec) => {
    const sizes = decoderTensorSizes(spec);
    return decoderCheckpointRecipes(spec, 'Qwen2', (parameter) => llamaParameterRecipe(parameter, sizes));
  },
  ignored: (name, spec) => ignoredLlamaTensor(name, spec.config.tieEmbeddings),
};
