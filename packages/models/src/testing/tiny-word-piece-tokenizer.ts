/** Words of {@link tinyWordPieceTokenizerJson}'s vocabulary after the five special tokens. */
const TINY_WORD_PIECES = ['hello', 'world', 'the', 'un', '##believ', '##able', 'cat', '##s', ',', '!', 'a'];

/** Vocabulary size of {@link tinyWordPieceTokenizerJson}: 5 special tokens and 11 pieces. */
export const TINY_WORD_PIECE_VOCAB_SIZE = 5 + TINY_WORD_PIECES.length;

/**
 * A small BERT-style WordPiece `tokenizer.json` (the layout of `bert-base-uncased`'s):
 * `[PAD]` 0, `[UNK]` 1, `[CLS]` 2, `[SEP]` 3, `[MASK]` 4, then word pieces (`##` continues a
 * word); a lowercasing `BertNormalizer`, the `BertPreTokenizer` (whitespace and punctuation), the
 * `[CLS] A [SEP]` template, and the WordPiece decoder.
 *
 * @example
 * ```ts
 * await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tinyWordPieceTokenizerJson()));
 * ```
 */
export function tinyWordPieceTokenizerJson(): Record<string, unknown> {
  const specials = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
  const vocab: Record<string, number> = {};
  [...specials, ...TINY_WORD_PIECES].forEach((token, id) => {
    vocab[token] = id;
  });
  const special = (token: string) => ({ id: token, type_id: 0 });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: special('[CLS]') },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: special('[SEP]') },
      ],
      pair: [
        { SpecialToken: special('[CLS]') },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: special('[SEP]') },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab,
    },
  };
}
