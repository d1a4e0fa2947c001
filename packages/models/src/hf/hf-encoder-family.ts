import type { ConfigReader } from './config-reader.js';
import type { HuggingFaceEncoderArchitecture } from './hf-encoder-architecture.js';
import type { ParameterRecipe } from './recipe-parts.js';

/** What an encoder family makes of a checkpoint directory. */
export interface HuggingFaceEncoderPlan {
  /** The Weft architecture. */
  readonly architecture: HuggingFaceEncoderArchitecture;
  /** How each of its parameters is read from the checkpoint. */
  readonly recipes: readonly ParameterRecipe[];
  /** Stored tensors the architecture does not read but that may be present (buffers, task heads). */
  readonly ignored: (name: string) => boolean;
}

/** One Hugging Face encoder family (`model_type`): how its config and tensor names map onto Weft. */
export interface HuggingFaceEncoderFamily {
  /**
   * Maps `config.json` (marking every field it reads; unread fields are refused afterwards) and
   * the checkpoint's tensor names (which tell a model prefix such as `bert.` and optional parts
   * such as the pooler) onto an architecture and its parameter recipes.
   */
  plan(reader: ConfigReader, tensorNames: ReadonlySet<string>): HuggingFaceEncoderPlan;
}

/** `prefix` when some tensor starts with `${prefix}${marker}` (a task model around the base model), else ''. */
export function modelPrefix(tensorNames: ReadonlySet<string>, prefix: string, marker: string): string {
  for (const name of tensorNames) if (name.startsWith(`${prefix}${marker}`)) return prefix;
  return '';
}
