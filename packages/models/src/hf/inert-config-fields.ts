/**
 * Fields of a Hugging Face `config.json` that leave the logits of a forward pass unchanged: ids,
 * versions, training settings, generation defaults, labels, and runtime hints. The mapping marks
 * them read; any other field it does not map is refused.
 */
export const INERT_CONFIG_FIELDS: readonly string[] = [
  // Identity and versions.
  'model_type',
  'architectures',
  'transformers_version',
  '_name_or_path',
  '_commit_hash',
  'torch_dtype',
  'dtype',
  'use_bfloat16',
  'tokenizer_class',
  'finetuning_task',
  'problem_type',
  'id2label',
  'label2id',
  'task_specific_params',
  // Token ids (eos_token_id is read for stop tokens).
  'bos_token_id',
  'pad_token_id',
  'sep_token_id',
  'decoder_start_token_id',
  // Training settings.
  'initializer_range',
  'attention_dropout',
  'tf_legacy_loss',
  // Llama's tensor-parallel slicing of the projections: the same math, summed in slices.
  'pretraining_tp',
  // Feed-forward chunking: the same math over chunks of the sequence.
  'chunk_size_feed_forward',
  // Runtime and output switches.
  'use_cache',
  'output_attentions',
  'output_hidden_states',
  'return_dict',
  'torchscript',
  '_attn_implementation',
  'is_decoder',
  // Generation defaults (they choose tokens from the logits, not the logits).
  'max_length',
  'min_length',
  'do_sample',
  'early_stopping',
  'num_beams',
  'num_beam_groups',
  'diversity_penalty',
  'temperature',
  'top_k',
  'top_p',
  'typical_p',
  'repetition_penalty',
  'length_penalty',
  'no_repeat_ngram_size',
  'encoder_no_repeat_ngram_size',
  'bad_words_ids',
  'num_return_sequences',
  'output_scores',
  'return_dict_in_generate',
  'forced_bos_token_id',
  'forced_eos_token_id',
  'remove_invalid_values',
  'exponential_decay_length_penalty',
  'suppress_tokens',
  'begin_suppress_tokens',
  // Markers and hints of other runtimes (nanotron's Llama export, Transformers.js).
  'is_llama_config',
  'transformers.js_config',
];
