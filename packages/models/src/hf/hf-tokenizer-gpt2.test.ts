import { describe, expect, it } from 'vitest';
import {
  GPT2_END_OF_TEXT,
  TINY_GPT2_END_OF_TEXT_ID,
  TINY_GPT2_TOKENIZER_VOCAB_SIZE,
  tinyGpt2TokenizerJson,
} from '../testing/index.js';
import { huggingFaceTokenizer } from './hf-tokenizer.js';

const tokenizer = huggingFaceTokenizer(tinyGpt2TokenizerJson());

describe('huggingFaceTokenizer on a GPT-2 tokenizer.json (byte-level BPE, GPT-2 id order)', () => {
  it('encodes with the merges and no BOS, byte symbols in GPT-2 order', () => {
    const hello = 256 + 3; // the fourth merge, "hell o"
    const world = 256 + 8; // "Ġworl d"
    expect(tokenizer.encode('hello world')).toEqual([hello, world]);
    // Unmerged bytes are the byte symbols: "!" is id 0 and "Ġ" (a space) 220, as in GPT-2.
    expect(tokenizer.encode('!')).toEqual([0]);
    expect(tokenizer.encode(' ')).toEqual([220]);
    expect(tokenizer.tokenId(GPT2_END_OF_TEXT)).toBe(TINY_GPT2_END_OF_TEXT_ID);
  });

  it('decodes every text back, multi-byte characters included', () => {
    for (const text of ['hello the world', ' two  spaces\n', 'café ∑ 日本語 🙂']) {
      const ids = tokenizer.encode(text);
      expect(ids.every((id) => id >= 0 && id < TINY_GPT2_TOKENIZER_VOCAB_SIZE)).toBe(true);
      expect(tokenizer.decode(ids)).toBe(text);
      const stream = tokenizer.createStream();
      expect(ids.map((id) => stream.push(id)).join('') + stream.flush()).toBe(text);
    }
  });
});
