import { buildEncoderGraph, type EncoderDefinition } from '../architectures/encoder.js';
import { layerNormLayer } from '../blocks/norm-layers.js';
import { graphParameters } from '../model/model-parameters.js';
import { bertCheckpointLayout, bertParameterRecipe, ignoredBertTensor } from './bert-tensor-names.js';
import { readEncoderStackConfig } from './encoder-config.js';
import type { HuggingFaceEncoderFamily } from './hf-encoder-family.js';

/**
 * Hugging Face BERT (`model_type` `bert`, `BertModel`): a post-norm encoder with learned absolute
 * positions, token types, the exact GELU, LayerNorm with `layer_norm_eps`, and a pooler when the
 * checkpoint has one. `max_position_embeddings` sets `maxSeq` (the position table's rows).
 */
export const BERT_FAMILY: HuggingFaceEncoderFamily = {
  plan(reader, tensorNames) {
    const stack = readEncoderStackConfig(reader);
    reader.requireNeutral(
      'position_embedding_type',
      (value) => value === 'absolute',
      'relative position embeddings (relative_key, relative_key_query) are not expressible; Weft adds a learned absolute table',
    );
    // Ties the masked-LM head, which is not part of BertModel, to the word embeddings.
    reader.inert('tie_word_embeddings');
    const layout = bertCheckpointLayout(tensorNames);
    const definition: EncoderDefinition = {
      vocabSize: reader.positiveInteger('vocab_size'),
      dModel: stack.dModel,
      layers: stack.layers,
      maxSeq: reader.positiveInteger('max_position_embeddings', 512),
      typeVocabSize: reader.positiveInteger('type_vocab_size', 2),
      attention: { heads: stack.heads, headDim: stack.headDim, bias: true, outputBias: true },
      mlp: { kind: 'gelu', hidden: stack.mlpHidden, bias: true },
      norm: layerNormLayer({ eps: stack.layerNormEps }),
      pooler: layout.pooler,
    };
    const recipes = graphParameters(buildEncoderGraph(definition)).map((parameter) =>
      bertParameterRecipe(parameter, definition, layout),
    );
    return {
      architecture: { modelType: 'bert', definition },
      recipes,
      ignored: (name) => ignoredBertTensor(name, layout),
    };
  },
};
