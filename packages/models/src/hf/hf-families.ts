import { GEMMA2_FAMILY } from './gemma2.js';
import type { HuggingFaceFamily } from './hf-family.js';
import { LLAMA_FAMILY, MISTRAL_FAMILY } from './llama.js';
import { QWEN2_FAMILY } from './qwen2.js';
import { QWEN3_FAMILY } from './qwen3.js';

/** The architecture families Weft loads, by `model_type` (one entry per family file). */
export const HF_FAMILIES = {
  llama: LLAMA_FAMILY,
  mistral: MISTRAL_FAMILY,
  qwen2: QWEN2_FAMILY,
  qwen3: QWEN3_FAMILY,
  gemma2: GEMMA2_FAMILY,
} as const satisfies Readonly<Record<string, HuggingFaceFamily>>;

/** A `model_type` Weft loads. */
export type SupportedHfModelType = keyof typeof HF_FAMILIES;

/** The `model_type`s Weft loads (the keys of {@link HF_FAMILIES}). */
export const SUPPORTED_HF_MODEL_TYPES = Object.keys(HF_FAMILIES) as readonly SupportedHfModelType[];

/** Whether Weft loads `modelType`. */
export function isSupportedHfModelType(modelType: string): modelType is SupportedHfModelType {
  return Object.hasOwn(HF_FAMILIES, modelType);
}
