/** One tensor of a Hugging Face checkpoint that goes into a Weft parameter. */
export interface CheckpointPart {
  /** Its name in the checkpoint, e.g. `model.layers.0.self_attn.q_proj.weight`. */
  readonly source: string;
  /** Its shape in the checkpoint (`torch.nn.Linear` weights are `[out, in]`). */
  readonly shape: readonly number[];
  /** Whether it is a Linear weight stored `[out, in]` that Weft stores `[in, out]`. */
  readonly transpose: boolean;
  /**
   * A constant added to every value after widening to float32 (Gemma stores RMSNorm gains as
   * `w` and multiplies by `1 + w`, in float32: the offset 1 makes them Weft's gains). Default 0.
   */
  readonly offset?: number;
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

/** A parameter of a Weft model graph: its name and shape. */
export interface GraphParameter {
  /** The Weft name, e.g. `layers.0.attn.wqkv`. */
  readonly name: string;
  /** Its shape in Weft. */
  readonly shape: readonly number[];
}

/**
 * The recipe of a parameter stored as is under `source` (embeddings, norm gains, biases), with
 * `offset` added to every value.
 *
 * @example
 * ```ts
 * plainRecipe({ name: 'finalNorm.gamma', shape: [64] }, 'model.norm.weight');
 * ```
 */
export function plainRecipe(parameter: GraphParameter, source: string, offset = 0): ParameterRecipe {
  const { name, shape } = parameter;
  return { name, shape, parts: [{ source, shape, transpose: false, ...(offset === 0 ? {} : { offset }) }] };
}

/**
 * The recipe of a Linear weight (or several fused side by side): each part `[out, in]` in the
 * checkpoint fills the next `out` columns of Weft's `[in, Σ out]`.
 *
 * @example
 * ```ts
 * linearRecipe({ name: 'layers.0.attn.wo', shape: [64, 64] }, 64, ['model.layers.0.self_attn.o_proj.weight', 64]);
 * ```
 */
export function linearRecipe(
  parameter: GraphParameter,
  inFeatures: number,
  ...parts: readonly (readonly [source: string, outFeatures: number])[]
): ParameterRecipe {
  const { name, shape } = parameter;
  return {
    name,
    shape,
    parts: parts.map(([source, outFeatures]) => ({
      source,
      shape: [outFeatures, inFeatures],
      transpose: true,
    })),
  };
}

/**
 * The recipe of biases fused side by side: each part `[width]` fills the next `width` entries
 * (`q_proj.bias`, `k_proj.bias`, `v_proj.bias` → `bqkv`).
 *
 * @example
 * ```ts
 * fusedBiasRecipe({ name: 'layers.0.attn.bqkv', shape: [96] }, ['…q_proj.bias', 64], ['…k_proj.bias', 16], ['…v_proj.bias', 16]);
 * ```
 */
export function fusedBiasRecipe(
  parameter: GraphParameter,
  ...parts: readonly (readonly [source: string, width: number])[]
): ParameterRecipe {
  const { name, shape } = parameter;
  return {
    name,
    shape,
    parts: parts.map(([source, width]) => ({ source, shape: [width], transpose: false })),
  };
}
