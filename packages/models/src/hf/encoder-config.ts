import type { ConfigReader } from './config-reader.js';
import { INERT_CONFIG_FIELDS } from './inert-config-fields.js';

/** The transformer-stack fields that BERT and ViT configs share, as Weft reads them. */
export interface EncoderStackConfig {
  /** `hidden_size`. */
  readonly dModel: number;
  /** `num_hidden_layers`. */
  readonly layers: number;
  /** `num_attention_heads`. */
  readonly heads: number;
  /** `hidden_size / num_attention_heads`. */
  readonly headDim: number;
  /** `intermediate_size`. */
  readonly mlpHidden: number;
  /** `layer_norm_eps` (Hugging Face's default 1e-12). */
  readonly layerNormEps: number;
}

/** Fields of BERT and ViT configs that only training reads (dropout, checkpointing). */
const INERT_ENCODER_FIELDS = [
  'hidden_dropout_prob',
  'attention_probs_dropout_prob',
  'classifier_dropout',
  'gradient_checkpointing',
];

/**
 * Reads the fields every Hugging Face encoder family shares: the inert ones, the switches that
 * would turn it into a decoder (refused unless neutral), and the stack's sizes. `hidden_act` must
 * be `gelu`, Hugging Face's exact (erf) GELU, which is Weft's `gelu`.
 */
export function readEncoderStackConfig(reader: ConfigReader): EncoderStackConfig {
  reader.inert(...INERT_CONFIG_FIELDS, ...INERT_ENCODER_FIELDS);
  const encoderOnly = 'Weft loads the encoder alone (bidirectional attention, no cross-attention)';
  reader.requireNeutral('is_decoder', (value) => value === false, encoderOnly);
  reader.requireNeutral('add_cross_attention', (value) => value === false, encoderOnly);
  reader.requireNeutral('is_encoder_decoder', (value) => value === false, encoderOnly);
  reader.requireNeutral('tie_encoder_decoder', (value) => value === false, encoderOnly);
  reader.requireNeutral(
    'pruned_heads',
    (value) => typeof value === 'object' && value !== null && Object.keys(value).length === 0,
    'pruned heads leave layers with fewer heads than config.json says',
  );
  const dModel = reader.positiveInteger('hidden_size');
  const heads = reader.positiveInteger('num_attention_heads');
  if (dModel % heads !== 0) {
    throw reader.unsupported(
      'num_attention_heads',
      `it must divide hidden_size (${dModel}), as Hugging Face requires`,
      heads,
    );
  }
  const activation = reader.string('hidden_act', 'gelu');
  if (activation !== 'gelu') {
    throw reader.unsupported(
      'hidden_act',
      'Weft maps only "gelu" (the exact erf GELU) onto its encoder MLP',
      activation,
    );
  }
  return {
    dModel,
    layers: reader.positiveInteger('num_hidden_layers'),
    heads,
    headDim: dModel / heads,
    mlpHidden: reader.positiveInteger('intermediate_size'),
    layerNormEps: reader.positiveNumber('layer_norm_eps', 1e-12),
  };
}
