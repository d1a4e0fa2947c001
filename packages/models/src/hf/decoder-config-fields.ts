import { SpecError } from '@weft/ir';
import type { ConfigReader } from './config-reader.js';
import { INERT_CONFIG_FIELDS } from './inert-config-fields.js';

/**
 * Reads the fields every Hugging Face decoder family shares and that must keep their neutral
 * value: the inert fields, encoder-decoder switches, pruned heads, interleaved RoPE and RoPE
 * scaling (`rope_scaling`).
 */
export function readCommonDecoderFields(reader: ConfigReader): void {
  reader.inert(...INERT_CONFIG_FIELDS);
  reader.requireNeutral('is_encoder_decoder', (value) => value === false, 'Weft loads decoder-only models');
  reader.requireNeutral(
    'add_cross_attention',
    (value) => value === false,
    'the decoder has no cross-attention',
  );
  reader.requireNeutral('tie_encoder_decoder', (value) => value === false, 'Weft loads decoder-only models');
  reader.requireNeutral(
    'pruned_heads',
    (value) => typeof value === 'object' && value !== null && Object.keys(value).length === 0,
    'pruned heads leave layers with fewer heads than config.json says',
  );
  reader.requireNeutral(
    'rope_interleaved',
    (value) => value === false,
    'interleaved RoPE pairs are another model: Hugging Face decoders rotate halves (rotate_half)',
  );
  reader.requireNeutral(
    'rope_scaling',
    () => false,
    'RoPE scaling (linear, dynamic, YaRN, Llama 3) is not expressible in a Weft spec',
  );
}

/** The head dim: `head_dim`, else hidden_size / num_attention_heads. */
export function headDimOf(reader: ConfigReader, dModel: number, heads: number): number {
  if (!reader.has('head_dim') && dModel % heads !== 0) {
    throw new SpecError(
      `config.json (${reader.modelType}): hidden_size is not a multiple of num_attention_heads and "head_dim" is missing`,
      { tensor: 'head_dim', expected: `head_dim, or hidden_size divisible by ${heads}`, actual: dModel },
    );
  }
  return reader.positiveInteger('head_dim', dModel / heads);
}

/**
 * The gated MLP of an activation name: `silu`/`swish` → SwiGLU, `gelu` (the exact GELU in
 * transformers) → GeGLU, `gelu_pytorch_tanh`/`gelu_new` (the tanh GELU) → GeGLU with
 * `approximate: 'tanh'` when `allowTanh`.
 */
export function gatedMlpOf(
  reader: ConfigReader,
  field: string,
  fallback: string,
  allowTanh: boolean,
): { kind: 'swiglu' | 'geglu'; approximate?: 'tanh' } {
  const activation = reader.string(field, fallback);
  if (activation === 'silu' || activation === 'swish') return { kind: 'swiglu' };
  if (activation === 'gelu') return { kind: 'geglu' };
  if (allowTanh && (activation === 'gelu_pytorch_tanh' || activation === 'gelu_new'))
    return { kind: 'geglu', approximate: 'tanh' };
  throw reader.unsupported(
    field,
    `Weft gates MLPs with silu, the exact gelu${allowTanh ? ' or the tanh gelu (gelu_pytorch_tanh, gelu_new)' : ''}`,
    activation,
  );
}

/** `rope_theta`, or transformers 5's `rope_parameters` of the default kind. */
export function ropeBase(reader: ConfigReader, fallback = 10_000): number {
  if (!reader.has('rope_parameters')) return reader.positiveNumber('rope_theta', fallback);
  const parameters = reader.raw('rope_parameters') as Record<string, unknown>;
  const { rope_type: ropeType, rope_theta: theta, ...rest } = parameters;
  if (ropeType !== 'default' || Object.keys(rest).length > 0) {
    throw reader.unsupported(
      'rope_parameters',
      'only the default RoPE (rope_type "default" with rope_theta) is expressible in a Weft spec',
      parameters,
    );
  }
  if (typeof theta !== 'number' || !(theta > 0))
    throw reader.unsupported('rope_parameters', 'rope_theta must be a positive number', parameters);
  if (reader.has('rope_theta') && reader.raw('rope_theta') !== theta)
    throw reader.unsupported(
      'rope_theta',
      `it disagrees with rope_parameters.rope_theta (${theta})`,
      reader.raw('rope_theta'),
    );
  reader.inert('rope_theta');
  return theta;
}

/**
 * Which layers attend through a sliding window: `layer_types` when the config lists them
 * (`"sliding_attention"` or `"full_attention"` per layer), else `defaultSliding(layer)`.
 *
 * @throws UnsupportedError naming `layer_types` for another layer type or a list of the wrong length.
 */
export function slidingLayersOf(
  reader: ConfigReader,
  layers: number,
  defaultSliding: (layer: number) => boolean,
): number[] {
  const all = Array.from({ length: layers }, (_, layer) => layer);
  if (!reader.has('layer_types')) return all.filter(defaultSliding);
  const types = reader.raw('layer_types');
  if (!Array.isArray(types) || types.length !== layers)
    throw reader.unsupported('layer_types', `expected one entry per layer (${layers})`, types);
  const other = types.find((type) => type !== 'sliding_attention' && type !== 'full_attention');
  if (other !== undefined)
    throw reader.unsupported(
      'layer_types',
      'Weft maps "sliding_attention" and "full_attention" layers only',
      other,
    );
  return all.filter((layer) => types[layer] === 'sliding_attention');
}

/**
 * The `overrides` entry that gives `layers` a sliding window of `window` keys (a query sees
 * itself and the `window − 1` keys before it, as transformers' `sliding_window`), or none when no
 * layer slides or the window is at least `maxSeq` (it then never masks anything).
 */
export function slidingWindowOverrides(
  layers: readonly number[],
  layerCount: number,
  window: number | undefined,
  maxSeq: number,
): { layers: 'even' | 'odd' | number[]; attention: { mask: { kind: 'slidingWindow'; window: number } } }[] {
  if (window === undefined || window >= maxSeq || layers.length === 0) return [];
  const every = (parity: number) =>
    layers.length === Math.ceil((layerCount - parity) / 2) && layers.every((layer) => layer % 2 === parity);
  const selector = every(0) ? 'even' : every(1) ? 'odd' : [...layers];
  return [{ layers: selector, attention: { mask: { kind: 'slidingWindow', window } } }];
}

/** The ids of `eos_token_id` (one id or a list; none when absent). */
export function tokenIds(value: unknown): number[] {
  const ids = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return ids.filter((id): id is number => Number.isSafeInteger(id) && (id as number) >= 0);
}
