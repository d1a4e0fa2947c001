import { StreamLanguage, type StringStream } from '@codemirror/language';

const KEYWORDS = new Set(
  'fn let var const override struct return if else for loop while break continue switch case default discard alias enable requires diagnostic'.split(
    ' ',
  ),
);
const TYPES =
  /^(?:[fiu]32|f16|bool|vec[234][fiuh]?|mat[234]x[234][fh]?|array|atomic|ptr|sampler|texture_\w+)$/;

/** WGSL for CodeMirror's highlighter: comments, attributes, keywords, types, numbers, builtins. */
export const wgslLanguage = StreamLanguage.define<{ blockComment: number }>({
  name: 'wgsl',
  startState: () => ({ blockComment: 0 }),
  token(stream: StringStream, state) {
    if (state.blockComment > 0) {
      while (!stream.eol()) {
        if (stream.match('*/')) {
          state.blockComment--;
          if (state.blockComment === 0) break;
        } else if (stream.match('/*')) state.blockComment++;
        else stream.next();
      }
      return 'comment';
    }
    if (stream.eatSpace()) return null;
    if (stream.match('//')) {
      stream.skipToEnd();
      return 'comment';
    }
    if (stream.match('/*')) {
      state.blockComment = 1;
      return 'comment';
    }
    if (stream.match(/^@\w+/)) return 'meta';
    if (stream.match(/^(?:0[xX][0-9a-fA-F]+|\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)[iuhf]?/))
      return 'number';
    const word = stream.match(/^[A-Za-z_]\w*/) as RegExpMatchArray | null;
    if (word !== null) {
      const name = word[0];
      if (KEYWORDS.has(name)) return 'keyword';
      if (TYPES.test(name)) return 'typeName';
      if (name === 'true' || name === 'false') return 'bool';
      return stream.peek() === '(' ? 'builtin' : 'variableName';
    }
    stream.next();
    return 'operator';
  },
  languageData: { commentTokens: { line: '//', block: { open: '/*', close: '*/' } } },
});
