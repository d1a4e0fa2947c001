// Runs the `runnable` programs in Node (through tsx, against the built packages) and compares what
// each prints with the `text output` block that follows it on its page.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CodeBlock } from './code-blocks.js';
import { type BlockProblem, type BlockProgram, programFile } from './typescript-programs.js';

const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));

/** The first `output` block after a program's `runnable` block on the same page, if any. */
export function expectedOutput(
  program: BlockProgram,
  pageBlocks: readonly CodeBlock[],
): CodeBlock | undefined {
  const runnable = program.blocks.find((block) => block.flags.has('runnable')) ?? program.blocks.at(-1)!;
  return pageBlocks.find((block) => block.line > runnable.line && block.flags.has('output'));
}

/** Runs one program (already written by `typeCheckPrograms`) and checks its exit status and output. */
export function runProgram(
  directory: string,
  program: BlockProgram,
  pageBlocks: readonly CodeBlock[],
): BlockProblem[] {
  const first = program.blocks[0]!;
  const result = spawnSync(tsx, [programFile(directory, program)], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  if (result.status !== 0) {
    const why =
      result.error?.message ??
      `exit ${result.status}: ${result.stderr.trim().split('\n').slice(-5).join(' | ')}`;
    return [{ file: first.file, line: first.line, message: `runnable block failed: ${why}` }];
  }
  const expected = expectedOutput(program, pageBlocks);
  if (expected === undefined) return [];
  const printed = result.stdout.trimEnd();
  if (printed === expected.body.trimEnd()) return [];
  return [
    {
      file: expected.file,
      line: expected.line,
      message: `the output block differs from what the program prints:\n--- printed\n${printed}\n--- block\n${expected.body.trimEnd()}`,
    },
  ];
}
