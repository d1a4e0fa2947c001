import { type ConversionConfig, type JsonSchema, toJsonSchema } from '@valibot/to-json-schema';
import * as v from 'valibot';
import { ARCHITECTURE_SPEC_SCHEMAS } from '../src/spec/kinds/architecture-spec.js';
import { modelSpecSchema } from '../src/spec/model-spec-schema.js';
import { decoderNormLayerSchema, modelSpecV2Schema } from '../src/spec/model-spec-v2-schema.js';
import {
  attentionMaskSchema,
  attentionSpecSchema,
  normLayerSchema,
  tensorRefSchema,
} from '../src/spec/parts/index.js';

/**
 * The JSON Schema files this package publishes, generated from the valibot schemas that
 * validate the same documents (`schema/<file>`). `pnpm --filter @weft/models schemas` writes
 * them; a unit test fails when a checked-in file differs from a fresh generation.
 */
export function jsonSchemaFiles(): Readonly<Record<string, string>> {
  return {
    'attention.schema.json': render(
      'Weft attention spec',
      'An attention variant as JSON: the options of attention() of @weft/attention, each part { "kind": <builder name>, ...options }; read by attentionFromJSON of @weft/models.',
      toJsonSchema(attentionSpecSchema, {
        ...CONVERSION,
        definitions: { mask: attentionMaskSchema, tensorRef: tensorRefSchema },
      }),
    ),
    'norm-layer.schema.json': render(
      'Weft norm layer',
      'A row norm of @weft/norms as JSON, { "kind": "rmsnorm", "eps": 1e-6 }; read by normLayerFromJSON of @weft/models.',
      toJsonSchema(normLayerSchema, CONVERSION),
    ),
    'model.schema.json': render(
      'Weft model spec',
      'A model spec file for weft plan|run|bench and parseSpecDocument of @weft/models: schemaVersion 2 (kind decoder-lm, encoder, vit, dit or encoder-decoder, whose blocks use the attention and norm-layer vocabulary, with per-layer overrides; decoder-lm also takes conditioning inputs and conditional norm layers) or schemaVersion 1 (the Llama-style decoder config). A tensor reference { "tensor": "sink", "shape": [4] } in a block\'s attention is a learned parameter of each layer (layers.{i}.attn.sink). Cross-field rules (kvHeads dividing heads, overrides selecting existing layers, a patch size dividing the image, a conditional norm\'s conditioning input) are checked by Weft, not by this schema.',
      toJsonSchema(v.union([modelSpecV2Schema, ...ARCHITECTURE_SPEC_SCHEMAS, modelSpecSchema]), {
        ...CONVERSION,
        // `check` holds the cross-field rules, which JSON Schema cannot state.
        ignoreActions: ['finite', 'check'],
        definitions: {
          mask: attentionMaskSchema,
          tensorRef: tensorRefSchema,
          normLayer: normLayerSchema,
          decoderNormLayer: decoderNormLayerSchema,
        },
      }),
    ),
  };
}

// JSON has no NaN or infinities, so `finite` needs no JSON Schema keyword; every other action must convert.
const CONVERSION: ConversionConfig = { errorMode: 'throw', ignoreActions: ['finite'] };

function render(title: string, description: string, schema: JsonSchema): string {
  const { $schema, ...rest } = schema;
  return `${JSON.stringify({ $schema, title, description, ...rest }, null, 2)}\n`;
}
