/**
 * Turns tokens arriving one at a time into text as soon as it is whole. A token may end inside a
 * multi-byte character (byte-level BPE splits UTF-8 sequences across tokens; the decoder then
 * yields U+FFFD), and some decoders drop a leading space when a token is decoded alone.
 */
export interface TextStream {
  /** Adds a token; returns the text it completes (possibly empty, possibly more than one token's). */
  push(token: number): string;
  /** Returns whatever text is still held back (at the end of a generation). */
  flush(): string;
}

const REPLACEMENT_CHARACTER = '\uFFFD';

/**
 * An incremental decoder over a whole-sequence `decode`. It decodes the tokens since the last
 * emitted text together with one token of context (the scheme of Hugging Face's text streamers),
 * emits only the text past that context, and holds text back while it ends in U+FFFD (an
 * incomplete character), so multi-byte characters are never printed half.
 *
 * @example
 * ```ts
 * const stream = createTextStream((ids) => tokenizer.decode(ids));
 * for (const token of tokens) process.stdout.write(stream.push(token));
 * process.stdout.write(stream.flush());
 * ```
 */
export function createTextStream(decode: (ids: readonly number[]) => string): TextStream {
  const tokens: number[] = [];
  // tokens[prefixStart, readStart) is context already printed; tokens[readStart, ...) is not yet.
  let prefixStart = 0;
  let readStart = 0;
  const pending = () => {
    const context = decode(tokens.slice(prefixStart, readStart));
    const text = decode(tokens.slice(prefixStart));
    return { context, text };
  };
  return {
    push(token) {
      tokens.push(token);
      const { context, text } = pending();
      if (text.length <= context.length || text.endsWith(REPLACEMENT_CHARACTER)) return '';
      prefixStart = readStart;
      readStart = tokens.length;
      return text.slice(context.length);
    },
    flush() {
      const { context, text } = pending();
      prefixStart = readStart = tokens.length;
      return text.slice(context.length);
    },
  };
}
