// The corpus script of `pnpm replay`: writes this revision's kernel corpus as JSON.
//   tsx --conditions=@weft/source src/replay/corpus-main.ts --out FILE
// Its path and arguments are the interface between revisions: `pnpm replay --against REV` runs
// REV's own copy of this script in a worktree of REV, so keep both stable.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateCorpus } from './corpus.js';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const outIndex = args.indexOf('--out');
  const out = outIndex === -1 ? undefined : args[outIndex + 1];
  if (out === undefined) {
    console.error('usage: corpus-main.ts --out FILE');
    return 2;
  }
  const corpus = await generateCorpus();
  await mkdir(path.dirname(path.resolve(out)), { recursive: true });
  await writeFile(out, `${JSON.stringify(corpus, null, 1)}\n`);
  console.log(`${Object.keys(corpus.kernels).length} kernels of ${corpus.entries.length} entries -> ${out}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
