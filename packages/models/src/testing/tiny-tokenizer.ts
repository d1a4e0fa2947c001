/**
 * A small byte-level BPE `tokenizer.json` (the GPT-2 / Llama 3 / Qwen scheme): `<s>` = 0 and
 * `</s>` = 1 as special tokens, the 256 byte symbols as ids 2..257, then one token per merge
 * (ids 258...). Every text encodes (unmerged bytes stay single tokens, so a multi-byte character
 * without a merge spans several tokens); `<s>` is prepended by the post-processor.
 *
 * @example
 * ```ts
 * await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tinyByteLevelTokenizerJson()));
 * ```
 */
export function tinyByteLevelTokenizerJson(): Record<string, unknown> {
  const symbols = byteSymbols();
  const vocab: Record<string, number> = { '<s>': 0, '</s>': 1 };
  symbols.forEach((symbol, byte) => {
    vocab[symbol] = byte + 2;
  });
  const merges = TINY_MERGES.map((merge) => merge.split(' ') as [string, string]);
  let next = 258;
  for (const [left, right] of merges) vocab[left + right] ??= next++;
  const special = (id: number, content: string) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(0, '<s>'), special(1, '</s>')],
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '<s>', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
      ],
      special_tokens: { '<s>': { id: '<s>', ids: [0], tokens: ['<s>'] } },
    },
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges,
    },
  };
}

/** Vocabulary size of {@link tinyByteLevelTokenizerJson}. */
export const TINY_TOKENIZER_VOCAB_SIZE = 258 + 11;

// `Ġ` is the byte symbol of a space.
const TINY_MERGES = [
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

/**
 * GPT-2's `bytes_to_unicode`, indexed by byte: printable bytes stand for themselves, the rest
 * map past U+0100 in byte order.
 */
export function byteSymbols(): string[] {
  const printable = (byte: number) =>
    (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
  const symbols: string[] = [];
  let shifted = 0;
  for (let byte = 0; byte < 256; byte++)
    symbols.push(String.fromCodePoint(printable(byte) ? byte : 256 + shifted++));
  return symbols;
}
