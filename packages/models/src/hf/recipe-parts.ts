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

/** A Weft parameter: its name and shape (as `graphParameters` lists it). */
export interface WeftParameter {
  /** Its Weft name, e.g. `layers.0.attn.wqkv`. */
  readonly name: string;
  /** Its shape in Weft. */
  readonly shape: readonly number[];
}

/**
 * A parameter copied from one tensor with the same values (its stored shape may add unit axes).
 *
 * @example
 * ```ts
 * copiedFrom({ name: 'finalNorm.gamma', shape: [64] }, 'model.norm.weight');
 * ```
 */
export function copiedFrom(
  parameter: WeftParameter,
  source: string,
  storedShape: readonly number[] = parameter.shape,
): ParameterRecipe {
  return { ...parameter, parts: [{ source, shape: storedShape, transpose: false }] };
}

/**
 * A parameter copied from one tensor of the same shape with `offset` added to every value
 * (Gemma's RMSNorm gains `w`, applied as `1 + w`).
 *
 * @example
 * ```ts
 * offsetFrom({ name: 'finalNorm.gamma', shape: [64] }, 'model.norm.weight', 1);
 * ```
 */
export function offsetFrom(parameter: WeftParameter, source: string, offset: number): ParameterRecipe {
  return { ...parameter, parts: [{ source, shape: parameter.shape, transpose: false, offset }] };
}

/**
 * A `[in, Σ out]` weight from `torch.nn.Linear` weights stored `[out, in]`: each is transposed
 * into the next columns.
 *
 * @example
 * ```ts
 * linearFrom({ name: 'layers.0.attn.wo', shape: [64, 64] }, 64, ['model.layers.0.self_attn.o_proj.weight', 64]);
 * ```
 */
export function linearFrom(
  parameter: WeftParameter,
  inFeatures: number,
  ...parts: readonly (readonly [source: string, outFeatures: number])[]
): ParameterRecipe {
  return {
    ...parameter,
    parts: parts.map(([source, outFeatures]) => ({
      source,
      shape: [outFeatures, inFeatures],
      transpose: true,
    })),
  };
}

/**
 * A bias `[Σ n]` from biases `[n]` side by side (`bq, bk, bv` → `bqkv`).
 *
 * @example
 * ```ts
 * concatenatedFrom({ name: 'layers.0.attn.bqkv', shape: [96] }, ['…q_proj.bias', 64], ['…k_proj.bias', 16], ['…v_proj.bias', 16]);
 * ```
 */
export function concatenatedFrom(
  parameter: WeftParameter,
  ...parts: readonly (readonly [source: string, size: number])[]
): ParameterRecipe {
  return {
    ...parameter,
    parts: parts.map(([source, size]) => ({ source, shape: [size], transpose: false })),
  };
}

/**
 * The fused `wqkv` `[d, 3d]` or `bqkv` `[3d]` of a BERT-style self-attention, whose checkpoint keeps
 * `{self}.query`, `{self}.key` and `{self}.value` as separate `nn.Linear`s (BERT, ViT).
 *
 * @example
 * ```ts
 * queryKeyValueFrom({ name: 'layers.0.attn.bqkv', shape: [96] }, 32, 'encoder.layer.0.attention.self', 'bias');
 * ```
 */
export function queryKeyValueFrom(
  parameter: WeftParameter,
  d: number,
  self: string,
  tensor: 'weight' | 'bias',
): ParameterRecipe {
  const parts = (['query', 'key', 'value'] as const).map(
    (projection) => [`${self}.${projection}.${tensor}`, d] as const,
  );
  return tensor === 'weight' ? linearFrom(parameter, d, ...parts) : concatenatedFrom(parameter, ...parts);
}
