import type { AnyModelSpec } from '../spec/model-spec-v2-types.js';
import type { ConfigReader } from './config-reader.js';
import type { ParameterRecipe } from './recipe-parts.js';

/**
 * How Weft loads one family of Hugging Face checkpoints: its `config.json` mapped onto a model
 * spec, and its tensors onto the spec's parameters. `HF_ARCHITECTURES` holds one per `model_type`.
 *
 * @example
 * ```ts
 * const mapping = HF_ARCHITECTURES.gpt2;
 * const spec = mapping.spec(new ConfigReader(config, 'gpt2'), 1024);
 * const recipes = mapping.recipes(spec, new Set(checkpointTensorNames));
 * ```
 */
export interface HuggingFaceMapping<Spec extends AnyModelSpec = AnyModelSpec> {
  /**
   * The spec `config.json` describes, with `maxSeq` at most `maxSeqCap`. Every field it maps or
   * knows to be inert is read through `reader` (the caller refuses the fields left unread); a
   * field that would change the math in a way the spec cannot express is an UnsupportedError
   * naming it.
   */
  spec(reader: ConfigReader, maxSeqCap: number): Spec;
  /**
   * The checkpoint tensors behind every parameter of `spec`'s model, in the order of the model's
   * parameters. `stored` holds the checkpoint's tensor names, for families whose files name the
   * same tensor in more than one way (GPT-2 with or without `transformer.`).
   */
  recipes(spec: Spec, stored: ReadonlySet<string>): ParameterRecipe[];
  /** Whether a stored tensor holds nothing the model reads (a buffer, a copy of a tied weight). */
  ignored(name: string, spec: Spec): boolean;
}
