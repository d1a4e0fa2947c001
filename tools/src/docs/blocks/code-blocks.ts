// The fenced code blocks of a Markdown page, with their info-string flags: `ts` (a whole program,
// type-checked), `ts runnable` (also run; a following `text output` block is what it prints),
// `ts continues` (the previous `ts` block of the page and this one are checked as one program),
// `ts setup` (names that the page's later `ts recipe` blocks use: each recipe is checked as the
// latest setup block followed by the recipe),
// `ts fragment` (deliberately incomplete: only its syntax is checked), `json` (parsed; validated
// against the schemas when it is a spec), `json fragment` (not parsed).

/** One fenced code block. */
export interface CodeBlock {
  /** The page, as given to {@link extractCodeBlocks}. */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The first word of the info string (`ts`, `json`, `sh`, ...), '' when there is none. */
  readonly language: string;
  /** The other words of the info string (`runnable`, `fragment`, `continues`, `setup`, `recipe`, `output`). */
  readonly flags: ReadonlySet<string>;
  /** The block's text, its fence's indentation removed. */
  readonly body: string;
}

/** The flags a block may carry; any other word in an info string is an error. */
export const KNOWN_FLAGS: ReadonlySet<string> = new Set([
  'runnable',
  'fragment',
  'continues',
  'output',
  'setup',
  'recipe',
]);

/** Where a `ts` block's flags make it a program that is type-checked. */
export function isTypeChecked(block: CodeBlock): boolean {
  return isTypeScript(block) && !block.flags.has('fragment');
}

/** A TypeScript block (`ts`, `typescript`). */
export function isTypeScript(block: CodeBlock): boolean {
  return block.language === 'ts' || block.language === 'typescript';
}

/** Every fenced (```) code block of `markdown`, in order. Throws on a fence left open. */
export function extractCodeBlocks(markdown: string, file: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = markdown.split('\n');
  let open: { line: number; indent: string; info: string[]; body: string[] } | undefined;
  for (const [index, text] of lines.entries()) {
    const fence = /^(\s*)```(.*)$/.exec(text);
    if (open === undefined) {
      if (fence === null) continue;
      open = {
        line: index + 1,
        indent: fence[1]!,
        info: fence[2]!.trim().split(/\s+/).filter(Boolean),
        body: [],
      };
    } else if (fence !== null && fence[2]!.trim() === '') {
      const [language = '', ...flags] = open.info;
      blocks.push({ file, line: open.line, language, flags: new Set(flags), body: open.body.join('\n') });
      open = undefined;
    } else {
      open.body.push(text.startsWith(open.indent) ? text.slice(open.indent.length) : text);
    }
  }
  if (open !== undefined) throw new Error(`${file}:${open.line}: a code block is never closed`);
  return blocks;
}
