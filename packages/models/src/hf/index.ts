/**
 * `@weft/models/hf`: Hugging Face model directories in Node — `config.json` mapped onto a Weft
 * model spec (decoders: Llama, Mistral, GPT-2, Qwen2, Qwen3, Gemma 2, one mapping file each in
 * `HF_ARCHITECTURES`; `loadHuggingFaceModel`) or an encoder / ViT definition (BERT and ViT,
 * `loadHuggingFaceEncoder`), safetensors checkpoints (single or sharded, F32/F16/BF16) read tensor
 * by tensor, and `tokenizer.json` tokenizers with incremental decoding for streaming.
 *
 * @example
 * ```ts
 * import { compileModel } from '@weft/models';
 * import { loadHuggingFaceModel } from '@weft/models/hf';
 *
 * const hf = await loadHuggingFaceModel('./SmolLM-135M', { maxSeq: 512 });
 * const model = await compileModel(hf.spec, { device: 'auto', weights: hf.weights });
 * ```
 *
 * @packageDocumentation
 */

export * from './checkpoint-files.js';
export * from './checkpoint-parameters.js';
export * from './config-reader.js';
export * from './gemma2.js';
export * from './gpt2.js';
export * from './gpt2-tensor-names.js';
export * from './hf-architectures.js';
export * from './hf-encoder-architecture.js';
export { HF_ENCODER_MODEL_TYPES, type HuggingFaceEncoderModelType } from './hf-encoder-families.js';
export * from './hf-mapping.js';
export * from './hf-tokenizer.js';
export * from './inert-config-fields.js';
export * from './llama.js';
export * from './llama-tensor-names.js';
export * from './load-hugging-face-encoder.js';
export * from './load-hugging-face-model.js';
export * from './qwen2.js';
export * from './qwen3.js';
export * from './recipe-parts.js';
export * from './safetensors-file.js';
export * from './text-stream.js';
