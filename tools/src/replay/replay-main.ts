// `pnpm replay`: generates the kernel corpus of the working tree and compares it with the corpus of
// another revision (default: the merge base with main). See docs/guides/kernel-replay.md.
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '@weft/zoo/cli';
import { baselineCorpus, defaultAgainst, NoBaseline, resolveCommit } from './baseline.js';
import { compareCorpora, formatReport, hasChanges } from './compare.js';
import { generateCorpus } from './corpus.js';
import { parseReplayOptions, REPLAY_USAGE } from './replay-options.js';

/** Writes JSON to `file`, relative to where `pnpm replay` was typed (pnpm runs scripts in tools/). */
async function writeJson(file: string, value: unknown): Promise<void> {
  const target = path.resolve(process.env.INIT_CWD ?? process.cwd(), file);
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, `${JSON.stringify(value, null, 1)}\n`);
}

async function main(): Promise<number> {
  let options: ReturnType<typeof parseReplayOptions>;
  try {
    options = parseReplayOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${REPLAY_USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(REPLAY_USAGE);
    return 0;
  }
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)}s`;
  const root = spawnSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).stdout.trim();
  if (root === '') throw new Error('pnpm replay must run inside the git repository');

  const current = await generateCorpus();
  const kernelCount = Object.keys(current.kernels).length;
  console.log(`replay: ${kernelCount} kernels of ${current.entries.length} entries generated (${elapsed()})`);
  if (options.corpusOut !== undefined) await writeJson(options.corpusOut, current);

  const against = options.against ?? defaultAgainst(root);
  let baseline: ReturnType<typeof baselineCorpus>;
  let sha: string;
  try {
    sha = resolveCommit(root, against);
    console.log(`replay: baseline ${against} (${sha.slice(0, 12)})`);
    baseline = baselineCorpus({ root, sha, log: (line) => console.log(`replay: ${line}`) });
  } catch (error) {
    if (!(error instanceof NoBaseline)) throw error;
    console.log(`replay: no baseline: ${error.message}; nothing compared (${elapsed()})`);
    if (options.json !== undefined) {
      await writeJson(options.json, { against, baseline: null, reason: error.message, kernels: kernelCount });
    }
    return 0;
  }
  console.log(
    `replay: baseline corpus ${baseline.cached ? 'cached' : 'generated'} (${path.relative(root, baseline.file)})`,
  );

  const report = compareCorpora(baseline.corpus, current);
  process.stdout.write(formatReport(report, { diffs: !options.noDiffs }));
  if (options.json !== undefined) await writeJson(options.json, { against, sha, ...report });
  const changed = hasChanges(report);
  const mode = options.report ? 'report-only' : options.accept ? 'accepted' : 'strict';
  console.log(
    `replay: ${changed ? 'kernels changed' : 'no kernel changed'} vs ${against} (${sha.slice(0, 12)}), ${mode}, in ${elapsed()}`,
  );
  if (changed && !options.accept && !options.report) {
    console.log('replay: if these changes are intended, rerun with --accept');
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(3);
  },
);
