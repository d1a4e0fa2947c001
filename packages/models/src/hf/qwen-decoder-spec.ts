import { parseModelSpec } from '../spec/model-spec-json.js';
import type { ModelSpecV2, ModelSpecV2Input } from '../spec/model-spec-v2-types.js';
import type { ConfigReader } from './config-reader.js';
import {
  gatedMlpOf,
  headDimOf,
  readCommonDecoderFields,
  ropeBase,
  slidingLayersOf,
  slidingWindowOverrides,
} from './decoder-config-fields.js';

/** What tells Qwen2 and Qwen3 apart in the spec. */
export interface QwenVariant {
  /**
   * Qwen2: `q_proj`, `k_proj`, `v_proj` always carry biases (`'always'`); Qwen3: `q_proj`,
   * `k_proj`, `v_proj` and `o_proj` carry them when `attention_bias` is true (`'attention_bias'`).
   */
  readonly qkvBias: 'always' | 'attention_bias';
  /** Qwen3: per-head RMSNorm of queries and keys (`q_norm`, `k_norm`) before RoPE. */
  readonly qkNorm: boolean;
  /** `head_dim` when the config has none: Qwen3Config's 128, or `undefined` for hidden / heads. */
  readonly defaultHeadDim: number | undefined;
}

/**
 * The version-2 spec of a Qwen2 or Qwen3 config: Llama's pre-norm RMSNorm decoder with RoPE,
 * GQA and a SwiGLU MLP, plus Qwen2's QKV biases or Qwen3's QK norm (and its q, k, v, o biases
 * when `attention_bias`), and sliding-window layers
 * where `use_sliding_window` (from `max_window_layers` on) or `layer_types` put them. Absent
 * fields take the defaults of transformers' `Qwen2Config` / `Qwen3Config`.
 */
export function qwenDecoderSpec(reader: ConfigReader, maxSeqCap: number, variant: QwenVariant): ModelSpecV2 {
  readCommonDecoderFields(reader);
  const dModel = reader.positiveInteger('hidden_size');
  const heads = reader.positiveInteger('num_attention_heads');
  const kvHeads = reader.positiveInteger('num_key_value_heads', 32);
  const headDim =
    variant.defaultHeadDim === undefined
      ? headDimOf(reader, dModel, heads)
      : reader.positiveInteger('head_dim', variant.defaultHeadDim);
  const layers = reader.positiveInteger('num_hidden_layers');
  const maxSeq = Math.min(reader.positiveInteger('max_position_embeddings', 32768), maxSeqCap);
  // Qwen3Attention gives q_proj, k_proj, v_proj and o_proj all bias=config.attention_bias.
  const attentionBias = variant.qkvBias === 'attention_bias' && reader.boolean('attention_bias', false);
  const eps = reader.positiveNumber('rms_norm_eps', 1e-6);
  const useWindow = reader.boolean('use_sliding_window', false);
  const window =
    reader.raw('sliding_window') === null ? undefined : reader.positiveInteger('sliding_window', 4096);
  const firstWindowLayer = reader.positiveInteger('max_window_layers', 28);
  const sliding = slidingLayersOf(reader, layers, (layer) => useWindow && layer >= firstWindowLayer);
  if (sliding.length > 0 && !useWindow)
    throw reader.unsupported(
      'layer_types',
      'it lists sliding layers while use_sliding_window is false (transformers then has no window)',
      'sliding_attention',
    );
  const overrides = slidingWindowOverrides(sliding, layers, window, maxSeq);
  const mlp = gatedMlpOf(reader, 'hidden_act', 'silu', false);
  const document: ModelSpecV2Input = {
    schemaVersion: 2,
    kind: 'decoder-lm',
    config: {
      vocabSize: reader.positiveInteger('vocab_size'),
      dModel,
      layers,
      maxSeq,
      attention: {
        heads,
        kvHeads,
        headDim,
        positions: { kind: 'rope', base: ropeBase(reader) },
        ...(variant.qkNorm ? { qkNorm: { kind: 'rms', scale: 'vector', eps } } : {}),
        ...(variant.qkvBias === 'always' ? { bias: true } : {}),
        ...(attentionBias ? { bias: true, outputBias: true } : {}),
      },
      mlp: { ...mlp, hidden: reader.positiveInteger('intermediate_size') },
      norm: { layer: { kind: 'rmsnorm', eps }, placement: 'pre' },
      tieEmbeddings: reader.boolean('tie_word_embeddings', false),
      ...(overrides.length === 0 ? {} : { overrides }),
    },
  };
  return parseModelSpec(document);
}
