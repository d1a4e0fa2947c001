import { SpecError } from '@weft/ir';
import { buildVitGraph, type VitDefinition } from '../architectures/vit.js';
import { layerNormLayer } from '../blocks/norm-layers.js';
import { graphParameters } from '../model/model-parameters.js';
import type { ConfigReader } from './config-reader.js';
import { readEncoderStackConfig } from './encoder-config.js';
import type { HuggingFaceEncoderFamily } from './hf-encoder-family.js';
import { ignoredVitTensor, vitCheckpointLayout, vitParameterRecipe } from './vit-tensor-names.js';

/**
 * Hugging Face ViT (`model_type` `vit`, `ViTModel`): a stride-P conv patch embedding, a class
 * token, learned positions, pre-norm blocks (`qkv_bias`), the exact GELU, a final LayerNorm, and a
 * pooler when the checkpoint has one. Images must be `image_size` (no position interpolation).
 */
export const VIT_FAMILY: HuggingFaceEncoderFamily = {
  plan(reader, tensorNames) {
    const stack = readEncoderStackConfig(reader);
    // Only ViTForMaskedImageModeling's decoder reads it.
    reader.inert('encoder_stride');
    reader.requireNeutral(
      'pooler_output_size',
      (value) => value === stack.dModel,
      `Weft's ViT pooler keeps the width hidden_size (${stack.dModel})`,
    );
    reader.requireNeutral('pooler_act', (value) => value === 'tanh', "Weft's ViT pooler uses tanh");
    const layout = vitCheckpointLayout(tensorNames);
    const definition: VitDefinition = {
      imageSize: pair(reader, 'image_size', 224),
      patchSize: squarePatch(reader),
      channels: reader.positiveInteger('num_channels', 3),
      dModel: stack.dModel,
      layers: stack.layers,
      attention: {
        heads: stack.heads,
        headDim: stack.headDim,
        bias: reader.boolean('qkv_bias', true),
        outputBias: true,
      },
      mlp: { kind: 'gelu', hidden: stack.mlpHidden, bias: true },
      norm: layerNormLayer({ eps: stack.layerNormEps }),
      pooler: layout.pooler,
    };
    const recipes = graphParameters(buildVitGraph(definition)).map((parameter) =>
      vitParameterRecipe(parameter, definition, layout),
    );
    return {
      architecture: { modelType: 'vit', definition },
      recipes,
      ignored: (name) => ignoredVitTensor(name, layout),
    };
  },
};

/** An `int` or `[height, width]` field (Hugging Face accepts both for sizes). */
function pair(reader: ConfigReader, field: string, fallback: number): readonly [number, number] {
  const value = reader.raw(field) ?? fallback;
  const [height, width] = Array.isArray(value) ? value : [value, value];
  const valid = (size: unknown) => typeof size === 'number' && Number.isSafeInteger(size) && size >= 1;
  if (!(valid(height) && valid(width) && (!Array.isArray(value) || value.length === 2))) {
    throw new SpecError(`config.json (${reader.modelType}): "${field}" is invalid`, {
      tensor: field,
      expected: 'a positive integer or [height, width]',
      actual: JSON.stringify(value),
    });
  }
  return [height as number, width as number];
}

function squarePatch(reader: ConfigReader): number {
  const [height, width] = pair(reader, 'patch_size', 16);
  if (height !== width)
    throw reader.unsupported('patch_size', "Weft's ViT patches are square", [height, width]);
  return height;
}
