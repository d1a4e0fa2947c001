import { SpecError } from '@weft/ir';
import { parseModelSpec } from '../spec/model-spec-json.js';
import type { ModelSpecV2, ModelSpecV2Input } from '../spec/model-spec-v2-types.js';
import type { ConfigReader } from './config-reader.js';
import { gpt2CheckpointRecipes, ignoredGpt2Tensor } from './gpt2-tensor-names.js';
import type { HuggingFaceMapping } from './hf-mapping.js';
import { INERT_CONFIG_FIELDS } from './inert-config-fields.js';

/**
 * GPT-2 (`model_type: "gpt2"`, `GPT2LMHeadModel`): `config.json` mapped onto a version-2 spec
 * (see {@link gpt2Spec}), tensors named as in `modeling_gpt2.py` (see `gpt2CheckpointRecipes`).
 */
export const GPT2_MAPPING: HuggingFaceMapping<ModelSpecV2> = {
  spec: gpt2Spec,
  recipes: gpt2CheckpointRecipes,
  ignored: ignoredGpt2Tensor,
};

/** The `activation_function`s of GPT-2 configs Weft runs, and the GELU each is. */
const GPT2_ACTIVATIONS: Readonly<Record<string, 'none' | 'tanh'>> = {
  // transformers' NewGELUActivation: the tanh approximation (GPT-2's own).
  gelu_new: 'tanh',
  // PyTorch's gelu(approximate='tanh'): the same function.
  gelu_pytorch_tanh: 'tanh',
  // The same formula with √(2/π) rounded to 0.7978845608 (a relative change of 4e-12).
  gelu_fast: 'tanh',
  // transformers' "gelu" is the exact erf GELU.
  gelu: 'none',
};

/** Fields of GPT-2 configs that leave the logits of `GPT2LMHeadModel` unchanged. */
export const GPT2_INERT_CONFIG_FIELDS: readonly string[] = [
  // Dropout (training only).
  'resid_pdrop',
  'embd_pdrop',
  'attn_pdrop',
  'summary_first_dropout',
  // The multiple-choice head of GPT2DoubleHeadsModel (its tensors would be unexpected).
  'summary_type',
  'summary_use_proj',
  'summary_activation',
  'summary_proj_to_labels',
  // Legacy: transformers does not read it (the position table has n_positions rows).
  'n_ctx',
  // Training and label bookkeeping of older configs.
  'gradient_checkpointing',
  '_num_labels',
];

/**
 * Maps a GPT-2 `config.json` onto a version-2 decoder spec, with transformers' defaults for
 * absent fields: `n_embd` (768), `n_layer` (12), `n_head` (12), `vocab_size` (50257),
 * learned positions `wpe` of `n_positions` (1024) rows, pre-norm LayerNorm with bias
 * (`layer_norm_epsilon`, 1e-5) and the same final norm, attention with QKV and output biases,
 * a GELU MLP with biases of `n_inner` (null: 4 · `n_embd`) units — `activation_function`
 * `gelu_new` (default), `gelu_pytorch_tanh` or `gelu_fast` give the tanh GELU, `gelu` the exact
 * one — and the head tied to `wte` (`tie_word_embeddings`, default true).
 *
 * Scores are scaled by 1/√head_dim when `scale_attn_weights` (default true), by 1 otherwise, and
 * further by 1/(layer + 1) when `scale_attn_by_inverse_layer_idx` (a per-layer override of the
 * `scale` score mod). `reorder_and_upcast_attn` changes only the precision of half-precision runs
 * (it computes the same scores in float32), so it is accepted either way: Weft computes in f32.
 *
 * @throws UnsupportedError naming `activation_function`, `add_cross_attention`, ... when they
 * hold a value the spec cannot express; SpecError for a malformed field.
 *
 * @example
 * ```ts
 * const spec = gpt2Spec(new ConfigReader(JSON.parse(configText), 'gpt2'), 512);
 * spec.config.positions; // { kind: 'learned', max: 1024 }
 * ```
 */
export function gpt2Spec(reader: ConfigReader, maxSeqCap: number): ModelSpecV2 {
  reader.inert(...INERT_CONFIG_FIELDS, ...GPT2_INERT_CONFIG_FIELDS);
  reader.requireNeutral(
    'add_cross_attention',
    (value) => value === false,
    'GPT-2 decoders have no cross-attention',
  );
  reader.requireNeutral('is_encoder_decoder', (value) => value === false, 'GPT-2 is decoder-only');
  reader.requireNeutral('tie_encoder_decoder', (value) => value === false, 'GPT-2 is decoder-only');
  reader.requireNeutral(
    'pruned_heads',
    (value) => typeof value === 'object' && value !== null && Object.keys(value).length === 0,
    'pruned heads leave layers with fewer heads than config.json says',
  );
  const dModel = reader.positiveInteger('n_embd', 768);
  const heads = reader.positiveInteger('n_head', 12);
  if (dModel % heads !== 0) {
    throw new SpecError(`config.json (gpt2): n_embd (${dModel}) is not a multiple of n_head (${heads})`, {
      tensor: 'n_head',
      expected: `a divisor of ${dModel}`,
      actual: heads,
    });
  }
  const headDim = dModel / heads;
  const layers = reader.positiveInteger('n_layer', 12);
  const positions = reader.positiveInteger('n_positions', 1024);
  const activation = reader.string('activation_function', 'gelu_new');
  const approximate = GPT2_ACTIVATIONS[activation];
  if (approximate === undefined) {
    throw reader.unsupported(
      'activation_function',
      `Weft's GPT-2 MLP is a GELU (${Object.keys(GPT2_ACTIVATIONS).join(', ')})`,
      activation,
    );
  }
  const eps = reader.positiveNumber('layer_norm_epsilon', 1e-5);
  const baseScale = reader.boolean('scale_attn_weights', true) ? 1 / Math.sqrt(headDim) : 1;
  const byInverseLayer = reader.boolean('scale_attn_by_inverse_layer_idx', false);
  reader.boolean('reorder_and_upcast_attn', false);
  const scaleOf = (layer: number) => [{ kind: 'scale' as const, value: baseScale / (layer + 1) }];
  // The default score mod is 1/√head_dim; other scales are a `scale` mod (per layer when inverse).
  const needsScale = baseScale !== 1 / Math.sqrt(headDim);
  const overrides = byInverseLayer
    ? Array.from({ length: layers - 1 }, (_, index) => ({
        layers: [index + 1],
        attention: { score: scaleOf(index + 1) },
      }))
    : [];
  const layerNorm = { kind: 'layernorm' as const, eps };
  const spec: ModelSpecV2Input = {
    schemaVersion: 2,
    kind: 'decoder-lm',
    config: {
      vocabSize: reader.positiveInteger('vocab_size', 50257),
      dModel,
      layers,
      maxSeq: Math.min(positions, maxSeqCap),
      attention: {
        heads,
        headDim,
        bias: true,
        outputBias: true,
        ...(needsScale ? { score: scaleOf(0) } : {}),
      },
      mlp: { kind: 'gelu', hidden: reader.positiveInteger('n_inner', 4 * dModel), bias: true, approximate },
      norm: { layer: layerNorm, placement: 'pre' },
      finalNorm: layerNorm,
      positions: { kind: 'learned', max: positions },
      tieEmbeddings: reader.boolean('tie_word_embeddings', true),
      ...(overrides.length === 0 ? {} : { overrides }),
    },
  };
  return parseModelSpec(spec);
}
