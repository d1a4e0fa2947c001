// Turns a page's `ts` blocks into programs (a `continues` block joins the one before it), type-checks
// them together under strict TypeScript against the built packages, and syntax-checks fragments.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { type CodeBlock, isTypeChecked, isTypeScript } from './code-blocks.js';

/** One program made of one block, or of a block and the `continues` blocks after it. */
export interface BlockProgram {
  readonly blocks: readonly CodeBlock[];
  readonly source: string;
  /** Whether any of its blocks is `runnable`. */
  readonly runnable: boolean;
}

/** A problem found in a block, with the page line it points at. */
export interface BlockProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/**
 * The programs of one page's blocks, in order: each `ts` block alone, a `continues` block appended to
 * the program before it, a `recipe` block after the page's latest `setup` block.
 */
export function blockPrograms(blocks: readonly CodeBlock[]): {
  programs: BlockProgram[];
  problems: BlockProblem[];
} {
  const programs: { blocks: CodeBlock[] }[] = [];
  const problems: BlockProblem[] = [];
  let setup: CodeBlock | undefined;
  for (const block of blocks.filter(isTypeChecked)) {
    if (block.flags.has('setup')) setup = block;
    if (block.flags.has('recipe')) {
      if (setup === undefined) {
        problems.push({
          file: block.file,
          line: block.line,
          message: '`recipe` but no `ts setup` block before it on the page',
        });
        continue;
      }
      programs.push({ blocks: [setup, block] });
    } else if (block.flags.has('continues')) {
      const previous = programs.at(-1);
      if (previous === undefined || previous.blocks[0]!.file !== block.file) {
        problems.push({
          file: block.file,
          line: block.line,
          message: '`continues` but no `ts` block before it on the page',
        });
        continue;
      }
      previous.blocks.push(block);
    } else {
      programs.push({ blocks: [block] });
    }
  }
  return {
    programs: programs.map(({ blocks: parts }) => ({
      blocks: parts,
      source: `${parts.map((part) => part.body).join('\n')}\nexport {};\n`,
      runnable: parts.some((part) => part.flags.has('runnable')),
    })),
    problems,
  };
}

/** Strict options of the workspace (`tsconfig.base.json`), resolving `@weft/*` to the built packages. */
export const BLOCK_COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  skipLibCheck: true,
  noEmit: true,
  types: ['@webgpu/types', 'node'],
};

/** The file a program is written to: `<page>-L<line of its last block>.mts` below `directory`. */
export function programFile(directory: string, program: BlockProgram): string {
  const last = program.blocks.at(-1)!;
  const page = last.file.replace(/\.md$/, '').replace(/[^A-Za-z0-9]+/g, '-');
  return join(directory, `${page}-L${last.line}.mts`);
}

/**
 * Writes every program into `directory` (emptied first) and type-checks them as one TypeScript
 * program; each diagnostic is reported at its block's page line.
 */
export function typeCheckPrograms(directory: string, programs: readonly BlockProgram[]): BlockProblem[] {
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  const files = new Map<string, BlockProgram>();
  for (const program of programs) {
    const file = programFile(directory, program);
    writeFileSync(file, program.source);
    files.set(ts.sys.resolvePath(file), program);
  }
  const checker = ts.createProgram([...files.keys()], BLOCK_COMPILER_OPTIONS);
  const problems: BlockProblem[] = [];
  for (const diagnostic of ts.getPreEmitDiagnostics(checker)) {
    const program =
      diagnostic.file === undefined ? undefined : files.get(ts.sys.resolvePath(diagnostic.file.fileName));
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    if (program === undefined || diagnostic.file === undefined || diagnostic.start === undefined) {
      problems.push({ file: diagnostic.file?.fileName ?? '(compiler)', line: 0, message });
      continue;
    }
    const line = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line;
    problems.push({ ...pageLine(program, line), message });
  }
  return problems;
}

/** The page line of a 0-based line of a program's source. */
function pageLine(program: BlockProgram, line: number): { file: string; line: number } {
  let remaining = line;
  for (const block of program.blocks) {
    const length = block.body.split('\n').length;
    if (remaining < length) return { file: block.file, line: block.line + 1 + remaining };
    remaining -= length;
  }
  const last = program.blocks.at(-1)!;
  return { file: last.file, line: last.line };
}

/** Syntax errors of a `ts fragment` block (its names need not be declared). */
export function fragmentSyntaxProblems(block: CodeBlock): BlockProblem[] {
  if (!isTypeScript(block) || !block.flags.has('fragment')) return [];
  const { diagnostics = [] } = ts.transpileModule(block.body, {
    reportDiagnostics: true,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    fileName: 'fragment.mts',
  });
  return diagnostics.map((diagnostic) => ({
    file: block.file,
    line:
      block.line +
      1 +
      (diagnostic.file !== undefined && diagnostic.start !== undefined
        ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line
        : 0),
    message: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
  }));
}
