import { describe, expect, it } from 'vitest';
import { TINY_TOKENIZER_VOCAB_SIZE, tinyByteLevelTokenizerJson } from '../testing/index.js';
import { huggingFaceTokenizer } from './hf-tokenizer.js';
import { createTextStream } from './text-stream.js';

const tokenizer = huggingFaceTokenizer(tinyByteLevelTokenizerJson());
const TEXTS = ['hello world', 'hello the world', ' spaces  and\ttabs\n', 'café ∑ 日本語 🙂 done', 'é'];

describe('huggingFaceTokenizer (a tiny byte-level BPE tokenizer.json)', () => {
  it('encodes with merges and a leading <s>, and decodes back to the text', () => {
    const ids = tokenizer.encode('hello world');
    expect(ids[0]).toBe(0);
    expect(ids).toHaveLength(3); // <s>, "hello", "Ġworld"
    for (const text of TEXTS) {
      const encoded = tokenizer.encode(text);
      expect(encoded.every((id) => id >= 0 && id < TINY_TOKENIZER_VOCAB_SIZE)).toBe(true);
      expect(tokenizer.decode(encoded)).toBe(text);
    }
    expect(tokenizer.tokenId('</s>')).toBe(1);
  });

  it('streams text token by token, holding back the bytes of an unfinished character', () => {
    for (const text of TEXTS) {
      const stream = tokenizer.createStream();
      const pieces = tokenizer.encode(text).map((id) => stream.push(id));
      pieces.push(stream.flush());
      expect(pieces.join('')).toBe(text);
      expect(pieces.some((piece) => piece.includes('\uFFFD'))).toBe(false);
    }
    // "é" is two bytes, two tokens here: the first prints nothing, the second the whole character.
    const stream = tokenizer.createStream();
    const [, first, second] = tokenizer.encode('é');
    expect(stream.push(first!)).toBe('');
    expect(stream.push(second!)).toBe('é');
  });

  it('keeps the space a decoder drops from a token decoded alone (one token of context)', () => {
    // A SentencePiece-like decoder that strips the first space of whatever it decodes.
    const words = ['▁The', '▁cat', '▁sat'];
    const decode = (ids: readonly number[]) =>
      ids
        .map((id) => words[id]!.replace('▁', ' '))
        .join('')
        .replace(/^ /, '');
    const stream = createTextStream(decode);
    expect([0, 1, 2].map((id) => stream.push(id)).join('') + stream.flush()).toBe('The cat sat');
  });

  it('rejects a tokenizer.json the library cannot read', () => {
    expect(() => huggingFaceTokenizer({ model: { type: 'Nonsense' } })).toThrow(
      /tokenizer\.json: not a tokenizer/,
    );
  });
});
