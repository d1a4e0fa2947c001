import { BERT_FAMILY } from './bert.js';
import type { HuggingFaceEncoderFamily } from './hf-encoder-family.js';
import { VIT_FAMILY } from './vit.js';

/** A `model_type` `loadHuggingFaceEncoder` reads. */
export type HuggingFaceEncoderModelType = 'bert' | 'vit';

/** The encoder families `loadHuggingFaceEncoder` reads, by `model_type`: one entry per family. */
export const HF_ENCODER_FAMILIES: Readonly<Record<HuggingFaceEncoderModelType, HuggingFaceEncoderFamily>> = {
  bert: BERT_FAMILY,
  vit: VIT_FAMILY,
};

/** The `model_type`s `loadHuggingFaceEncoder` reads. */
export const HF_ENCODER_MODEL_TYPES = Object.keys(
  HF_ENCODER_FAMILIES,
) as readonly HuggingFaceEncoderModelType[];
