// `pnpm check:guides` (a step of `pnpm verify`, after the build): every code block of the docs' front
// page, the guides and the generated cookbook pages is checked. TypeScript blocks are type-checked
// under strict TS against the built packages, `runnable` ones are run and their printed output
// compared, fragments are syntax-checked, JSON blocks are parsed and specs validated against the
// schemas. Exits 1 listing each problem at its page line.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDocPages } from '../pages/generate-pages.js';
import { type CodeBlock, extractCodeBlocks, isTypeScript, KNOWN_FLAGS } from './code-blocks.js';
import { checkJsonBlock, type JsonBlockKind } from './json-blocks.js';
import { runProgram } from './run-programs.js';
import {
  type BlockProblem,
  type BlockProgram,
  blockPrograms,
  fragmentSyntaxProblems,
  typeCheckPrograms,
} from './typescript-programs.js';

const started = Date.now();
const repository = fileURLToPath(new URL('../../../../', import.meta.url));
const workDirectory = fileURLToPath(new URL('../../../.code-blocks/', import.meta.url));

// The blocks are checked against what users install: the built packages.
const unbuilt = ['ir', 'attention', 'runtime', 'models', 'norms', 'zoo', 'wgsl'].filter(
  (name) => !existsSync(join(repository, `packages/${name}/dist/index.d.ts`)),
);
if (unbuilt.length > 0) {
  console.log(`check:guides needs the built packages; run pnpm build first (no dist: ${unbuilt.join(', ')})`);
  process.exit(1);
}

// Optional arguments: parts of page paths, to check only those pages (`pnpm check:guides cookbook`).
const only = process.argv.slice(2);
const selected = (file: string) => only.length === 0 || only.some((part) => file.includes(part));

const allPages = (): { file: string; text: string }[] => [
  { file: 'docs/front-page.md', text: readFileSync(join(repository, 'docs/front-page.md'), 'utf8') },
  ...readdirSync(join(repository, 'docs/guides'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => {
      const file = `docs/guides/${name}`;
      return { file, text: readFileSync(join(repository, file), 'utf8') };
    }),
  // The generated pages, as `pnpm run docs` writes them into docs/generated/.
  ...(only.length === 0 || only.some((part) => /generated|cookbook|catalog/.test(part))
    ? generateDocPages().map((page) => ({ file: `docs/generated/${page.path}`, text: page.text }))
    : []),
];
const pages = allPages().filter((page) => selected(page.file));

const problems: BlockProblem[] = [];
const programs: { program: BlockProgram; pageBlocks: CodeBlock[] }[] = [];
const counts = { blocks: 0, fragments: 0, outputs: 0, unchecked: 0 };
const jsonKinds = new Map<JsonBlockKind, number>();
for (const page of pages) {
  const blocks = extractCodeBlocks(page.text, page.file);
  counts.blocks += blocks.length;
  for (const block of blocks) {
    for (const flag of block.flags) {
      if (!KNOWN_FLAGS.has(flag))
        problems.push({ file: block.file, line: block.line, message: `unknown flag "${flag}"` });
    }
    if (isTypeScript(block) && block.flags.has('fragment')) {
      counts.fragments += 1;
      problems.push(...fragmentSyntaxProblems(block));
    } else if (block.language === 'json') {
      const { kind, problems: found } = checkJsonBlock(block);
      jsonKinds.set(kind, (jsonKinds.get(kind) ?? 0) + 1);
      problems.push(...found);
    } else if (block.flags.has('output')) {
      counts.outputs += 1;
    } else if (!isTypeScript(block)) {
      counts.unchecked += 1;
    }
  }
  const found = blockPrograms(blocks);
  problems.push(...found.problems);
  for (const program of found.programs) programs.push({ program, pageBlocks: blocks });
}

problems.push(
  ...typeCheckPrograms(
    workDirectory,
    programs.map(({ program }) => program),
  ),
);
const runnable = programs.filter(({ program }) => program.runnable);
for (const { program, pageBlocks } of runnable)
  problems.push(...runProgram(workDirectory, program, pageBlocks));

const typeChecked = new Set(programs.flatMap(({ program }) => program.blocks)).size;
console.log(
  `${pages.length} pages, ${counts.blocks} code blocks: ${typeChecked} TypeScript blocks type-checked as ` +
    `${programs.length} programs (${runnable.length} run), ${counts.fragments} fragments syntax-checked, ` +
    `${[...jsonKinds].map(([kind, count]) => `${count} JSON ${kind}`).join(', ') || 'no JSON'}, ` +
    `${counts.outputs} output blocks compared, ${counts.unchecked} others (shell, text, WGSL) not checked`,
);
for (const problem of problems) {
  const where = problem.file.startsWith('/') ? relative(repository, problem.file) : problem.file;
  console.log(`${where}:${problem.line}: ${problem.message}`);
}
console.log(`${problems.length} problems in ${((Date.now() - started) / 1000).toFixed(1)}s`);
process.exit(problems.length === 0 ? 0 : 1);
