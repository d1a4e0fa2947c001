import { SpecError } from '@weft/ir';
import { buildModelGraph } from '../model/model-definition.js';
import { graphParameters } from '../model/model-parameters.js';
import type { AnyModelSpec } from '../spec/model-spec-v2-types.js';
import {
  concatenatedFrom,
  copiedFrom,
  linearFrom,
  type ParameterRecipe,
  type WeftParameter,
} from './recipe-parts.js';

/** The sizes that shape a decoder's checkpoint tensors (the same in every layer). */
export interface DecoderTensorSizes {
  /** Width of the residual stream (`hidden_size`). */
  readonly dModel: number;
  /** Query heads. */
  readonly heads: number;
  /** Key/value heads. */
  readonly kvHeads: number;
  /** Head dim of queries, keys and values. */
  readonly headDim: number;
  /** Hidden units of the MLP (`intermediate_size`). */
  readonly mlpHidden: number;
}

/**
 * The tensor sizes of a decoder spec of either version whose layers all have the same heads and
 * MLP width (what the Hugging Face mappings produce).
 *
 * @throws SpecError for a v2 spec with a weighted-GQA head layout (no Hugging Face naming).
 *
 * @example
 * ```ts
 * decoderTensorSizes(spec).headDim; // 64
 * ```
 */
export function decoderTensorSizes(spec: AnyModelSpec): DecoderTensorSizes {
  const { config } = spec;
  if (spec.schemaVersion === 1) {
    const { dModel, heads, kvHeads, headDim, mlp } = spec.config;
    return { dModel, heads, kvHeads, headDim, mlpHidden: mlp.hidden };
  }
  const { heads, kvHeads, headDim, valueHeads, valueDim } = spec.config.attention;
  if (typeof heads !== 'number' || valueHeads !== undefined || valueDim !== undefined) {
    throw new SpecError('Hugging Face loader: the spec has a head layout no checkpoint naming describes', {
      tensor: 'config.attention.heads',
      expected: 'plain query and key/value heads',
    });
  }
  return { dModel: config.dModel, heads, kvHeads: kvHeads ?? heads, headDim, mlpHidden: config.mlp.hidden };
}

/**
 * Checkpoint tensors that Llama-style Hugging Face models may carry but that hold nothing the
 * model reads: RoPE's `inv_freq` buffer (recomputed from `rope_theta`), and `lm_head.weight` when
 * the head is tied to the embedding (a copy of it).
 */
export function ignoredLlamaTensor(name: string, tieEmbeddings: boolean): boolean {
  if (/^model\.layers\.\d+\.self_attn\.rotary_emb\.inv_freq$/.test(name)) return true;
  return tieEmbeddings && name === 'lm_head.weight';
}

/**
 * The checkpoint tensors behind a Weft parameter of a Llama-style decoder, with Hugging Face's
 * `LlamaForCausalLM` names (shared by Mistral, Qwen2, Qwen3 and, but for the norms, Gemma 2):
 * the embedding, the head, the final norm, the two pre-norms, the fused `q, k, v` and `o`
 * projections and their biases when the spec has them (`q_proj.bias`, `k_proj.bias`,
 * `v_proj.bias` fused into `attn.bqkv`; `o_proj.bias` → `attn.bo`: Qwen2's, or `attention_bias`
 * of Qwen3 and Gemma 2), and the fused `gate, up` and `down` projections. `undefined` for other
 * parameters.
 *
 * @example
 * ```ts
 * llamaParameterRecipe({ name: 'layers.0.attn.wo', shape: [64, 64] }, sizes)?.parts[0]?.source;
 * // 'model.layers.0.self_attn.o_proj.weight'
 * ```
 */
export function llamaParameterRecipe(
  parameter: WeftParameter,
  sizes: DecoderTensorSizes,
): ParameterRecipe | undefined {
  const { name } = parameter;
  const { dModel: d, heads, kvHeads, headDim, mlpHidden: hidden } = sizes;
  if (name === 'embedding.tokens') return copiedFrom(parameter, 'model.embed_tokens.weight');
  if (name === 'head.weight') return copiedFrom(parameter, 'lm_head.weight');
  if (name === 'finalNorm.gamma') return copiedFrom(parameter, 'model.norm.weight');
  const match = /^layers\.(\d+)\.(.+)$/.exec(name);
  if (match === null) return undefined;
  const layer = `model.layers.${match[1]}`;
  switch (match[2]) {
    case 'attnNorm.gamma':
      return copiedFrom(parameter, `${layer}.input_layernorm.weight`);
    case 'mlpNorm.gamma':
      return copiedFrom(parameter, `${layer}.post_attention_layernorm.weight`);
    case 'attn.wqkv':
      return linearFrom(
        parameter,
        d,
        [`${layer}.self_attn.q_proj.weight`, heads * headDim],
        [`${layer}.self_attn.k_proj.weight`, kvHeads * headDim],
        [`${layer}.self_attn.v_proj.weight`, kvHeads * headDim],
      );
    case 'attn.bqkv':
      return concatenatedFrom(
        parameter,
        [`${layer}.self_attn.q_proj.bias`, heads * headDim],
        [`${layer}.self_attn.k_proj.bias`, kvHeads * headDim],
        [`${layer}.self_attn.v_proj.bias`, kvHeads * headDim],
      );
    case 'attn.wo':
      return linearFrom(parameter, heads * headDim, [`${layer}.self_attn.o_proj.weight`, d]);
    case 'attn.bo':
      return copiedFrom(parameter, `${layer}.self_attn.o_proj.bias`);
    case 'mlp.wGateUp':
      return linearFrom(
        parameter,
        d,
        [`${layer}.mlp.gate_proj.weight`, hidden],
        [`${layer}.mlp.up_proj.weight`, hidden],
      );
    case 'mlp.wDown':
      return linearFrom(parameter, hidden, [`${layer}.mlp.down_proj.weight`, d]);
    default:
      return undefined;
  }
}

/**
 * The SpecError of a Weft parameter a family's naming does not cover (a spec its loader cannot
 * fill from a Hugging Face checkpoint).
 */
export function unnamedParameter(parameter: WeftParameter, family: string): SpecError {
  return new SpecError(`Hugging Face loader: no checkpoint name for Weft parameter "${parameter.name}"`, {
    tensor: parameter.name,
    expected: `a parameter of a ${family} decoder`,
  });
}

/**
 * How every parameter of a decoder spec's model is built from a checkpoint, in the order of the
 * model's parameters: `recipeOf` gives each parameter's tensors, `undefined` for one the
 * family's naming does not cover (a SpecError naming it and `family`).
 *
 * @example
 * ```ts
 * decoderCheckpointRecipes(spec, 'Llama-style', (parameter) => llamaParameterRecipe(parameter, decoderTensorSizes(spec)));
 * ```
 */
export function decoderCheckpointRecipes(
  spec: AnyModelSpec,
  family: string,
  recipeOf: (parameter: WeftParameter) => ParameterRecipe | undefined,
): ParameterRecipe[] {
  const { graph } = buildModelGraph(spec, { mode: 'forward' });
  return graphParameters(graph).map((parameter) => {
    const recipe = recipeOf(parameter);
    if (recipe === undefined) throw unnamedParameter(parameter, family);
    return recipe;
  });
}

/**
 * How every parameter of a Llama-style spec's model is built from a `LlamaForCausalLM`
 * checkpoint (see {@link llamaParameterRecipe}), in the order of the model's parameters.
 *
 * @example
 * ```ts
 * for (const recipe of llamaCheckpointRecipes(spec)) console.log(recipe.name, recipe.parts.map((p) => p.source));
 * ```
 */
export function llamaCheckpointRecipes(spec: AnyModelSpec): ParameterRecipe[] {
  const sizes = decoderTensorSizes(spec);
  return decoderCheckpointRecipes(spec, 'Llama-style', (parameter) => llamaParameterRecipe(parameter, sizes));
}
