import type { SafetensorsFloatDType } from '../weights/safetensors-dtypes.js';
import { createSeededRandom } from '../weights/seeded-random.js';
import { roundTo, safetensorsFiles } from './hugging-face-checkpoint.js';

/** The fields of a GPT-2 `config.json` the tiny checkpoints use. */
export interface TinyGpt2HfConfig {
  readonly vocab_size: number;
  readonly n_positions: number;
  readonly n_embd: number;
  readonly n_layer: number;
  readonly n_head: number;
  readonly n_inner: number | null;
  readonly activation_function: string;
  readonly layer_norm_epsilon: number;
  readonly scale_attn_weights: boolean;
  readonly scale_attn_by_inverse_layer_idx: boolean;
  readonly tie_word_embeddings: boolean;
}

/** A tiny GPT-2 config: 4 heads of 8, two layers, n_inner left to 4 · n_embd, tied head. */
export const TINY_GPT2_HF_CONFIG: TinyGpt2HfConfig = {
  vocab_size: 40,
  n_positions: 32,
  n_embd: 32,
  n_layer: 2,
  n_head: 4,
  n_inner: null,
  activation_function: 'gelu_new',
  layer_norm_epsilon: 1e-5,
  scale_attn_weights: true,
  scale_attn_by_inverse_layer_idx: false,
  tie_word_embeddings: true,
};

/** Options of {@link tinyHuggingFaceGpt2}. */
export interface TinyHuggingFaceGpt2Options {
  /** The dtype the tensors are stored in. Default F32. */
  readonly dtype?: SafetensorsFloatDType;
  /** Split the tensors over this many shards with a `model.safetensors.index.json`. Default 1. */
  readonly shards?: number;
  /** Config fields to override (or add: unknown fields test rejection). */
  readonly config?: Partial<TinyGpt2HfConfig> & Readonly<Record<string, unknown>>;
  /** Seed of the weights. Default 1. */
  readonly seed?: number;
  /** Save as `GPT2LMHeadModel` does, with `transformer.` before the body's names. Default false (as `GPT2Model`). */
  readonly prefixed?: boolean;
  /** Also store the causal-mask buffers `h.N.attn.bias` and `h.N.attn.masked_bias` of older saves. Default false. */
  readonly maskBuffers?: boolean;
}

/** A tiny GPT-2 checkpoint in the Hugging Face layout: the files of its directory and its tensors. */
export interface Gpt2CheckpointFiles {
  /** File name → contents (`config.json`, `model.safetensors` or shards and their index). */
  readonly files: Readonly<Record<string, string | Uint8Array>>;
  /** The config as written. */
  readonly config: TinyGpt2HfConfig & Readonly<Record<string, unknown>>;
  /** The tensors by checkpoint name, with the values the files hold (after rounding to `dtype`). */
  readonly tensors: ReadonlyMap<string, { readonly shape: readonly number[]; readonly data: Float64Array }>;
}

/**
 * Writes a tiny `GPT2LMHeadModel` checkpoint in the Hugging Face layout, with seeded weights: the
 * projections are `Conv1D` weights stored `[in, out]` (`c_attn` `[d, 3d]` holds query, key and
 * value columns), every projection and LayerNorm has a bias, positions are a learned `wpe` table.
 *
 * @example
 * ```ts
 * const { files } = tinyHuggingFaceGpt2({ dtype: 'BF16', prefixed: true });
 * for (const [name, contents] of Object.entries(files)) await writeFile(join(dir, name), contents);
 * ```
 */
export function tinyHuggingFaceGpt2(options: TinyHuggingFaceGpt2Options = {}): Gpt2CheckpointFiles {
  const config = {
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    ...TINY_GPT2_HF_CONFIG,
    ...options.config,
  };
  const dtype = options.dtype ?? 'F32';
  const random = createSeededRandom(options.seed ?? 1);
  const d = config.n_embd;
  const inner = config.n_inner ?? 4 * d;
  const prefix = options.prefixed === true ? 'transformer.' : '';
  const tensors = new Map<string, { shape: number[]; data: Float64Array }>();
  const add = (name: string, shape: number[], scale: number, offset = 0) => {
    const count = shape.reduce((product, dim) => product * dim, 1);
    const data = new Float64Array(count);
    for (let i = 0; i < count; i++) data[i] = roundTo(dtype, offset + scale * random.nextNormal());
    tensors.set(name, { shape, data });
  };
  add(`${prefix}wte.weight`, [config.vocab_size, d], 0.5);
  add(`${prefix}wpe.weight`, [config.n_positions, d], 0.3);
  for (let layer = 0; layer < config.n_layer; layer++) {
    const h = `${prefix}h.${layer}`;
    add(`${h}.ln_1.weight`, [d], 0.1, 1);
    add(`${h}.ln_1.bias`, [d], 0.1);
    add(`${h}.attn.c_attn.weight`, [d, 3 * d], d ** -0.5);
    add(`${h}.attn.c_attn.bias`, [3 * d], 0.1);
    add(`${h}.attn.c_proj.weight`, [d, d], d ** -0.5);
    add(`${h}.attn.c_proj.bias`, [d], 0.1);
    add(`${h}.ln_2.weight`, [d], 0.1, 1);
    add(`${h}.ln_2.bias`, [d], 0.1);
    add(`${h}.mlp.c_fc.weight`, [d, inner], d ** -0.5);
    add(`${h}.mlp.c_fc.bias`, [inner], 0.1);
    add(`${h}.mlp.c_proj.weight`, [inner, d], inner ** -0.5);
    add(`${h}.mlp.c_proj.bias`, [d], 0.1);
    if (options.maskBuffers === true) {
      const positions = config.n_positions;
      const mask = new Float64Array(positions * positions);
      for (let row = 0; row < positions; row++)
        for (let column = 0; column <= row; column++) mask[row * positions + column] = 1;
      tensors.set(`${h}.attn.bias`, { shape: [1, 1, positions, positions], data: mask });
      tensors.set(`${h}.attn.masked_bias`, { shape: [], data: Float64Array.of(-1e4) });
    }
  }
  add(`${prefix}ln_f.weight`, [d], 0.1, 1);
  add(`${prefix}ln_f.bias`, [d], 0.1);
  if (!config.tie_word_embeddings) add('lm_head.weight', [config.vocab_size, d], d ** -0.5);
  return {
    files: {
      'config.json': JSON.stringify(config, null, 2),
      ...safetensorsFiles(tensors, dtype, options.shards ?? 1),
    },
    config,
    tensors,
  };
}
