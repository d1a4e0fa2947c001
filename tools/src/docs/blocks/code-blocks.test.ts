import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { extractCodeBlocks } from './code-blocks.js';
import { checkJsonBlock } from './json-blocks.js';
import { runProgram } from './run-programs.js';
import { blockPrograms, fragmentSyntaxProblems, typeCheckPrograms } from './typescript-programs.js';

const page = [
  '# A page',
  '',
  '```ts setup',
  'const width: number = 4;',
  '```',
  '',
  '- a list item with an indented block:',
  '',
  '  ```ts recipe',
  '  const doubled: number = width * 2;',
  '  ```',
  '',
  '```ts continues',
  "const wrong: string = doubled; // a type error on this page's line 14",
  '```',
  '',
  '```ts fragment',
  'useUndeclaredNames(x, y);',
  '```',
  '',
  '```sh',
  'pnpm verify',
  '```',
].join('\n');

describe('code blocks of a page', () => {
  it('extracts each fenced block with its language, flags, line and unindented body', () => {
    const blocks = extractCodeBlocks(page, 'page.md');
    expect(blocks.map((block) => [block.line, block.language, [...block.flags]])).toEqual([
      [3, 'ts', ['setup']],
      [9, 'ts', ['recipe']],
      [13, 'ts', ['continues']],
      [17, 'ts', ['fragment']],
      [21, 'sh', []],
    ]);
    expect(blocks[1]!.body).toBe('const doubled: number = width * 2;');
  });

  it('refuses a fence left open', () => {
    expect(() => extractCodeBlocks('```ts\nconst a = 1;\n', 'open.md')).toThrow('open.md:1');
  });

  it('joins a recipe to its setup and a continues block to the program before it; fragments stay out', () => {
    const { programs, problems } = blockPrograms(extractCodeBlocks(page, 'page.md'));
    expect(problems).toEqual([]);
    expect(programs.map((program) => program.blocks.map((block) => block.line))).toEqual([[3], [3, 9, 13]]);
  });

  it('reports a recipe without a setup block', () => {
    const { problems } = blockPrograms(extractCodeBlocks('```ts recipe\nconst a = 1;\n```\n', 'lone.md'));
    expect(problems).toEqual([
      { file: 'lone.md', line: 1, message: expect.stringContaining('no `ts setup`') },
    ]);
  });

  it('syntax-checks a fragment without resolving its names', () => {
    const [fragment] = extractCodeBlocks('```ts fragment\nuse(a, b);\n```\n', 'f.md');
    expect(fragmentSyntaxProblems(fragment!)).toEqual([]);
    const [broken] = extractCodeBlocks('```ts fragment\nconst = ;\n```\n', 'f.md');
    expect(fragmentSyntaxProblems(broken!)[0]).toMatchObject({ file: 'f.md', line: 2 });
  });
});

describe('type-checking and running the programs', () => {
  const directory = fileURLToPath(new URL('../../../.code-blocks-test/', import.meta.url));

  it('reports a type error at the line of its page', () => {
    const { programs } = blockPrograms(extractCodeBlocks(page, 'page.md'));
    const problems = typeCheckPrograms(directory, programs);
    expect(problems).toEqual([
      { file: 'page.md', line: 14, message: expect.stringContaining("not assignable to type 'string'") },
    ]);
  }, 60_000);

  it('runs a runnable block and compares what it prints with the output block after it', () => {
    const markdown = (printed: string) =>
      [
        "```ts runnable\nconsole.log(['a', 'b'].join(' + '));\n```",
        '',
        `\`\`\`text output\n${printed}\n\`\`\``,
      ].join('\n');
    for (const [printed, problems] of [
      ['a + b', 0],
      ['a + c', 1],
    ] as const) {
      const blocks = extractCodeBlocks(markdown(printed), 'run.md');
      const { programs } = blockPrograms(blocks);
      expect(typeCheckPrograms(directory, programs)).toEqual([]);
      const found = runProgram(directory, programs[0]!, blocks);
      expect(found).toHaveLength(problems);
      if (problems > 0)
        expect(found[0]).toMatchObject({ line: 5, message: expect.stringContaining('a + b') });
    }
  }, 120_000);
});

describe('JSON blocks', () => {
  const json = (body: string, flags = '') =>
    extractCodeBlocks(`\`\`\`json${flags}\n${body}\n\`\`\`\n`, 'j.md')[0]!;

  it('accepts a valid attention spec, a zoo document and plain JSON', () => {
    expect(
      checkJsonBlock(json('{ "heads": 4, "kvHeads": 2, "headDim": 16, "mask": { "kind": "causal" } }')),
    ).toEqual({
      kind: 'attention spec',
      problems: [],
    });
    expect(checkJsonBlock(json('{ "zoo": "layer-norm" }')).problems).toEqual([]);
    expect(checkJsonBlock(json('{ "compilerOptions": { "strict": true } }'))).toEqual({
      kind: 'plain JSON',
      problems: [],
    });
  });

  it('reports a spec the schema or Weft refuses, an unknown zoo entry and text that is not JSON', () => {
    const schema = checkJsonBlock(json('{ "heads": 4, "headDim": 16, "headz": 2 }'));
    expect(schema.problems[0]!.message).toContain('does not match its JSON Schema');
    const weft = checkJsonBlock(json('{ "heads": 4, "kvHeads": 3, "headDim": 16 }'));
    expect(weft.problems.map((problem) => problem.message).join('\n')).toContain('kvHeads');
    expect(checkJsonBlock(json('{ "zoo": "layer-nrom" }')).problems[0]!.message).toContain(
      'names no zoo entry',
    );
    expect(checkJsonBlock(json('{ "heads": 4, ... }')).problems[0]!.message).toContain('not JSON');
    expect(checkJsonBlock(json('{ "heads": 4, ... }', ' fragment'))).toEqual({
      kind: 'fragment',
      problems: [],
    });
  });
});
