import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The guide "Extending Weft" quotes the example files of tools/src/extending/ (each quoted block
// starts with `// file: <path>`); these tests keep the quotes true: every quoted line, elisions
// `// ...` aside, is a line of the file, in order.
const root = new URL('../../../', import.meta.url);
const guide = readFileSync(new URL('docs/guides/extending-weft.md', root), 'utf8');
const quotes = [...guide.matchAll(/```ts[^\n]*\n\/\/ file: (\S+)\n([\s\S]*?)```/g)].map(([, file, body]) => ({
  file: file!,
  lines: body!
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('// ...')),
}));

describe('the guide "Extending Weft" quotes its tested examples', () => {
  it('quotes at least one block of each example', () => {
    expect(new Set(quotes.map((quote) => quote.file)).size).toBeGreaterThanOrEqual(3);
  });

  for (const [index, quote] of quotes.entries()) {
    it(`block ${index + 1} (${quote.file}) is in the file, in order`, () => {
      const source = readFileSync(new URL(quote.file, root), 'utf8')
        .split('\n')
        .map((line) => line.trim());
      let at = 0;
      for (const line of quote.lines) {
        const found = source.indexOf(line, at);
        expect(found, `"${line}" not found after line ${at} of ${quote.file}`).toBeGreaterThanOrEqual(0);
        at = found + 1;
      }
    });
  }
});
