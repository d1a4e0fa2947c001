import { SpecError } from '@weft/ir';
import { buildDecoderLmGraph } from '../model/decoder-lm-graph.js';
import { graphParameters } from '../model/model-parameters.js';
import type { DecoderLmConfig, ModelSpec } from '../spec/model-spec-types.js';

/** One tensor of a Hugging Face checkpoint that goes into a Weft parameter. */
export interface CheckpointPart {
  /** Its name in the checkpoint, e.g. `model.layers.0.self_attn.q_proj.weight`. */
  readonly source: string;
  /** Its shape in the checkpoint (`torch.nn.Linear` weights are `[out, in]`). */
  readonly shape: readonly number[];
  /** Whether it is a Linear weight stored `[out, in]` that Weft stores `[in, out]`. */
  readonly transpose: boolean;
}

/**
 * How one Weft parameter is built from checkpoint tensors: each part (transposed when marked)
 * fills the next columns of the last axis, so `q, k, v` become `wqkv` and `gate, up` become
 * `wGateUp`.
 */
export interface ParameterRecipe {
  /** The Weft parameter name, e.g. `layers.0.attn.wqkv`. */
  readonly name: string;
  /** Its shape in Weft. */
  readonly shape: readonly number[];
  /** The checkpoint tensors, in column order. */
  readonly parts: readonly CheckpointPart[];
}

/**
 * Checkpoint tensors that Hugging Face models may carry but that hold nothing the model reads:
 * RoPE's `inv_freq` buffer (recomputed from `rope_theta`), and `lm_head.weight` when the head is
 * tied to the embedding (a copy of it).
 */
export function ignoredLlamaTensor(name: string, config: DecoderLmConfig): boolean {
  if (/^model\.layers\.\d+\.self_attn\.rotary_emb\.inv_freq$/.test(name)) return true;
  return config.tieEmbeddings && name === 'lm_head.weight';
}

/**
 * The checkpoint tensors behind a Weft parameter of a Llama-style decoder, with Hugging Face's
 * `LlamaForCausalLM` names (shared by Mistral and others).
 *
 * @throws SpecError for a parameter the Llama naming does not cover (a spec this loader cannot
 * fill from a Hugging Face checkpoint).
 */
export function llamaParameterRecipe(
  parameter: { readonly name: string; readonly shape: readonly number[] },
  config: DecoderLmConfig,
): ParameterRecipe {
  const { name, shape } = parameter;
  const d = config.dModel;
  const plain = (source: string): ParameterRecipe => ({
    name,
    shape,
    parts: [{ source, shape, transpose: false }],
  });
  // A Linear weight per part: `[out, in]` in the checkpoint, columns of `[in, Σ out]` in Weft.
  const linear = (
    inFeatures: number,
    ...parts: [source: string, outFeatures: number][]
  ): ParameterRecipe => ({
    name,
    shape,
    parts: parts.map(([source, outFeatures]) => ({
      source,
      shape: [outFeatures, inFeatures],
      transpose: true,
    })),
  });
  if (name === 'embedding.tokens') return plain('model.embed_tokens.weight');
  if (name === 'head.weight') return plain('lm_head.weight');
  if (name === 'finalNorm.gamma') return plain('model.norm.weight');
  const match = /^layers\.(\d+)\.(.+)$/.exec(name);
  const layer = `model.layers.${match?.[1]}`;
  const { heads, kvHeads, headDim } = config;
  const hidden = config.mlp.hidden;
  switch (match?.[2]) {
    case 'attnNorm.gamma':
      return plain(`${layer}.input_layernorm.weight`);
    case 'mlpNorm.gamma':
      return plain(`${layer}.post_attention_layernorm.weight`);
    case 'attn.wqkv':
      return linear(
        d,
        [`${layer}.self_attn.q_proj.weight`, heads * headDim],
        [`${layer}.self_attn.k_proj.weight`, kvHeads * headDim],
        [`${layer}.self_attn.v_proj.weight`, kvHeads * headDim],
      );
    case 'attn.wo':
      return linear(heads * headDim, [`${layer}.self_attn.o_proj.weight`, d]);
    case 'mlp.wGateUp':
      return linear(d, [`${layer}.mlp.gate_proj.weight`, hidden], [`${layer}.mlp.up_proj.weight`, hidden]);
    case 'mlp.wDown':
      return linear(hidden, [`${layer}.mlp.down_proj.weight`, d]);
    default:
      throw new SpecError(`Hugging Face loader: no checkpoint name for Weft parameter "${name}"`, {
        tensor: name,
        expected: 'a parameter of a Llama-style decoder',
      });
  }
}

/**
 * How every parameter of `spec`'s model is built from a Llama-style Hugging Face checkpoint (see
 * `llamaParameterRecipe`), in the order of the model's parameters.
 *
 * @example
 * ```ts
 * for (const recipe of llamaCheckpointRecipes(spec)) console.log(recipe.name, recipe.parts.map((p) => p.source));
 * ```
 */
export function llamaCheckpointRecipes(spec: ModelSpec): ParameterRecipe[] {
  const { graph } = buildDecoderLmGraph(spec.config, { mode: 'forward' });
  return graphParameters(graph).map((parameter) => llamaParameterRecipe(parameter, spec.config));
}
