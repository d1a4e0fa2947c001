import type { AnyModelSpec } from '../spec/model-spec-v2-types.js';
import type { ConfigReader } from './config-reader.js';
import type { GraphParameter, ParameterRecipe } from './parameter-recipe.js';

/**
 * How one Hugging Face architecture family (a `model_type`) maps onto Weft: its `config.json`
 * onto a model spec, and its checkpoint tensors onto the spec's parameters. Each family lives in
 * a file of its own (`llama.ts`, `qwen2.ts`, ...) and has one entry in `HF_FAMILIES`.
 */
export interface HuggingFaceFamily {
  /**
   * The Weft spec of a config: every field is read from `reader` and either mapped, marked inert
   * (`reader.inert`) or refused (`reader.requireNeutral`, `reader.unsupported`); the caller then
   * refuses the fields nobody read. `maxSeq` caps the spec's sequence length.
   */
  readonly spec: (reader: ConfigReader, maxSeq: number) => AnyModelSpec;
  /**
   * The checkpoint tensors behind one parameter of the spec's model graph.
   *
   * @throws SpecError for a parameter the family's naming does not cover.
   */
  readonly parameterRecipe: (parameter: GraphParameter, spec: AnyModelSpec) => ParameterRecipe;
  /** Whether a stored tensor holds nothing the model reads (RoPE buffers, a tied head's copy). */
  readonly ignoredTensor: (name: string, spec: AnyModelSpec) => boolean;
}
