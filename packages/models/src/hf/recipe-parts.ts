import type { ParameterRecipe } from './llama-tensor-names.js';

/** A Weft parameter: its name and shape (as `graphParameters` lists it). */
export interface WeftParameter {
  /** Its Weft name, e.g. `layers.0.attn.wqkv`. */
  readonly name: string;
  /** Its shape in Weft. */
  readonly shape: readonly number[];
}

/** A parameter copied from one tensor with the same values (its stored shape may add unit axes). */
export function copiedFrom(
  parameter: WeftParameter,
  source: string,
  storedShape: readonly number[] = parameter.shape,
): ParameterRecipe {
  return { ...parameter, parts: [{ source, shape: storedShape, transpose: false }] };
}

/**
 * A `[in, Σ out]` weight from `torch.nn.Linear` weights stored `[out, in]`: each is transposed
 * into the next columns.
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

/** A bias `[Σ n]` from biases `[n]` side by side (`bq, bk, bv` → `bqkv`). */
export function concatenatedFrom(
  parameter: WeftParameter,
  ...parts: readonly (readonly [source: string, size: number])[]
): ParameterRecipe {
  return {
    ...parameter,
    parts: parts.map(([source, size]) => ({ source, shape: [size], transpose: false })),
  };
}
