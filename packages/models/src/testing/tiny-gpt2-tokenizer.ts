import { byteSymbols } from './tiny-tokenizer.js';

/** The end-of-text token of GPT-2 tokenizers, its only special token. */
export const GPT2_END_OF_TEXT = '<|endoftext|>';

// `Ġ` is the byte symbol of a space.
const TINY_GPT2_MERGES = [
  'h e',
  'l l',
  'he ll',
  'hell o',
  'Ġ w',
  'o r',
  'Ġw or',
  'Ġwor l',
  'Ġworl d',
  'Ġ t',
  'Ġt he',
];

/** Vocabulary size of {@link tinyGpt2TokenizerJson}: 256 byte symbols, one token per merge, `<|endoftext|>`. */
export const TINY_GPT2_TOKENIZER_VOCAB_SIZE = 256 + TINY_GPT2_MERGES.length + 1;

/** Id of `<|endoftext|>` in {@link tinyGpt2TokenizerJson} (the last id, as in GPT-2's 50256). */
export const TINY_GPT2_END_OF_TEXT_ID = TINY_GPT2_TOKENIZER_VOCAB_SIZE - 1;

/**
 * A small `tokenizer.json` laid out as GPT-2's: byte-level BPE whose first 256 ids are the byte
 * symbols in `bytes_to_unicode` order (the printable bytes first, so `!` is 0 and the space `Ġ`
 * is 220), then one token per merge (merges written as `"a b"` strings), then `<|endoftext|>` as
 * the only added token; a ByteLevel pre-tokenizer, post-processor (no BOS) and decoder.
 *
 * @example
 * ```ts
 * await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tinyGpt2TokenizerJson()));
 * ```
 */
export function tinyGpt2TokenizerJson(): Record<string, unknown> {
  const inIdOrder = byteSymbols().sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
  const vocab: Record<string, number> = {};
  inIdOrder.forEach((symbol, id) => {
    vocab[symbol] = id;
  });
  let next = 256;
  for (const merge of TINY_GPT2_MERGES) vocab[merge.replace(' ', '')] ??= next++;
  vocab[GPT2_END_OF_TEXT] = next;
  const byteLevel = (addPrefixSpace: boolean, trimOffsets: boolean) => ({
    type: 'ByteLevel',
    add_prefix_space: addPrefixSpace,
    trim_offsets: trimOffsets,
    use_regex: true,
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      {
        id: next,
        content: GPT2_END_OF_TEXT,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: true,
        special: true,
      },
    ],
    normalizer: null,
    pre_tokenizer: byteLevel(false, true),
    post_processor: byteLevel(true, false),
    decoder: byteLevel(true, true),
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges: TINY_GPT2_MERGES,
    },
  };
}
