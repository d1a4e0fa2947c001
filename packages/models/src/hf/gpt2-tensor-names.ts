import { SpecError } from '@weft/ir';
import { buildModelGraph } from '../model/model-definition.js';
import { graphParameters } from '../model/model-parameters.js';
import type { ModelSpecV2 } from '../spec/model-spec-v2-types.js';
import type { ParameterRecipe } from './recipe-parts.js';

/** The prefix `GPT2LMHeadModel` checkpoints put before the body's names (`GPT2Model` ones have none). */
export const GPT2_BODY_PREFIX = 'transformer.';

/**
 * How every parameter of a GPT-2 spec's model is read from a Hugging Face GPT-2 checkpoint, in the
 * order of the model's parameters (see {@link gpt2ParameterRecipe}). The body's names carry
 * `transformer.` when any stored tensor does (a `GPT2LMHeadModel` save), none otherwise (the
 * original `GPT2Model` files).
 *
 * @example
 * ```ts
 * const recipes = gpt2CheckpointRecipes(spec, new Set(['wte.weight', 'wpe.weight', ...]));
 * ```
 */
export function gpt2CheckpointRecipes(spec: ModelSpecV2, stored: ReadonlySet<string>): ParameterRecipe[] {
  const prefix = [...stored].some((name) => name.startsWith(GPT2_BODY_PREFIX)) ? GPT2_BODY_PREFIX : '';
  const { graph } = buildModelGraph(spec, { mode: 'forward' });
  return graphParameters(graph).map((parameter) => gpt2ParameterRecipe(parameter, prefix));
}

/**
 * The checkpoint tensor behind one Weft parameter of a GPT-2 model. GPT-2's projections are
 * `Conv1D` layers, whose weights are stored `[in, out]` — Weft's layout — so every tensor is read
 * as is: `h.N.attn.c_attn.weight` `[d, 3d]` (query, key, value columns) is `layers.N.attn.wqkv`.
 *
 * @param prefix `transformer.` or nothing, before every name but `lm_head.weight`.
 * @throws SpecError for a parameter GPT-2's naming does not cover.
 */
export function gpt2ParameterRecipe(
  parameter: { readonly name: string; readonly shape: readonly number[] },
  prefix: string,
): ParameterRecipe {
  const { name, shape } = parameter;
  const source = gpt2TensorName(name, prefix);
  if (source === undefined) {
    throw new SpecError(`Hugging Face loader: no GPT-2 checkpoint name for Weft parameter "${name}"`, {
      tensor: name,
      expected: 'a parameter of a GPT-2 decoder',
    });
  }
  return { name, shape, parts: [{ source, shape, transpose: false }] };
}

/** Weft sublayer parameter → GPT-2 name under `h.N.` */
const LAYER_NAMES: Readonly<Record<string, string>> = {
  'attnNorm.gamma': 'ln_1.weight',
  'attnNorm.beta': 'ln_1.bias',
  'attn.wqkv': 'attn.c_attn.weight',
  'attn.bqkv': 'attn.c_attn.bias',
  'attn.wo': 'attn.c_proj.weight',
  'attn.bo': 'attn.c_proj.bias',
  'mlpNorm.gamma': 'ln_2.weight',
  'mlpNorm.beta': 'ln_2.bias',
  'mlp.wUp': 'mlp.c_fc.weight',
  'mlp.bUp': 'mlp.c_fc.bias',
  'mlp.wDown': 'mlp.c_proj.weight',
  'mlp.bDown': 'mlp.c_proj.bias',
};

const TOP_NAMES: Readonly<Record<string, string>> = {
  'embedding.tokens': 'wte.weight',
  'embedding.positions': 'wpe.weight',
  'finalNorm.gamma': 'ln_f.weight',
  'finalNorm.beta': 'ln_f.bias',
};

function gpt2TensorName(name: string, prefix: string): string | undefined {
  if (name === 'head.weight') return 'lm_head.weight';
  const top = TOP_NAMES[name];
  if (top !== undefined) return `${prefix}${top}`;
  const match = /^layers\.(\d+)\.(.+)$/.exec(name);
  const inLayer = match === null ? undefined : LAYER_NAMES[match[2]!];
  return inLayer === undefined ? undefined : `${prefix}h.${match![1]}.${inLayer}`;
}

/**
 * Checkpoint tensors of GPT-2 files that hold nothing the model reads: each attention's causal
 * mask buffers `h.N.attn.bias` (a lower-triangular `[1, 1, n_positions, n_positions]`) and
 * `h.N.attn.masked_bias` (its fill value) that older saves carry, and `lm_head.weight` when the
 * head is tied to `wte` (a copy of it).
 */
export function ignoredGpt2Tensor(name: string, spec: ModelSpecV2): boolean {
  if (/^(transformer\.)?h\.\d+\.attn\.(bias|masked_bias)$/.test(name)) return true;
  return spec.config.tieEmbeddings && name === 'lm_head.weight';
}
