import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runCli } from './cli.js';

// Every example of `weft <command> --help` runs from a directory that has no examples folder: a
// path `examples/NAME.json` names the example that ships with weft. Run on the CPU backend here
// (`--device cpu` added to run and bench), so that no GPU is needed; the paths are what is tested.

const COMMANDS = ['plan', 'run', 'bench'] as const;
const elsewhere = mkdtempSync(join(tmpdir(), 'weft-help-examples-'));
const home = process.cwd();
afterAll(() => {
  process.chdir(home);
  rmSync(elsewhere, { recursive: true, force: true });
});

async function weft(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  // cac prints help with console.info; `weft zoo` prints its table with console.log.
  const info = vi.spyOn(console, 'info').mockImplementation((text: string) => out.push(text));
  try {
    const code = await runCli(args, {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      progress: { isTTY: false, write: () => {} },
    });
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    info.mockRestore();
  }
}

/** A command line split into words as a shell would: spaces separate, double quotes group. */
function shellWords(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((match) => match[1] ?? match[2]!);
}

/** The `Examples:` lines of `weft <command> --help`, without the leading `weft`. */
async function helpExamples(command: string): Promise<string[][]> {
  const { stdout } = await weft([command, '--help']);
  const lines = stdout.split('\n');
  const start = lines.findIndex((line) => line.trim() === 'Examples:');
  expect(start).toBeGreaterThan(0);
  return lines
    .slice(start + 1)
    .filter((line) => line.startsWith('weft '))
    .map((line) => shellWords(line).slice(1));
}

describe('weft --help examples run from any directory', () => {
  it.each(COMMANDS)(
    'weft %s --help: every example that names a shipped spec',
    async (command) => {
      const examples = await helpExamples(command);
      // A Hugging Face model directory is the user's own download (`path/to/…`): not run here.
      const runnable = examples.filter((words) => !words.some((word) => word.startsWith('path/to/')));
      expect(runnable.length).toBeGreaterThanOrEqual(2);
      process.chdir(elsewhere);
      try {
        for (const words of runnable) {
          const args = command === 'plan' ? words : [...words, '--device', 'cpu'];
          if (command === 'bench') args.push('--repeats', '1');
          const { code, stdout, stderr } = await weft(args);
          expect({ example: words.join(' '), code, stderr }).toMatchObject({ code: 0 });
          expect(stderr).toMatch(
            /^weft: no examples\/[\w-]+\.json in this directory: using the example that ships with weft, /,
          );
          expect(stdout).toMatch(/valid|model: /);
        }
      } finally {
        process.chdir(home);
      }
    },
    180_000,
  );

  it('a missing path that is not a shipped example is still an error naming it', async () => {
    process.chdir(elsewhere);
    try {
      const { code, stderr } = await weft(['plan', 'examples/no-such-model.json']);
      expect(code).toBe(1);
      expect(stderr).toBe('weft: error: cannot read spec file "examples/no-such-model.json": ENOENT');
    } finally {
      process.chdir(home);
    }
  });
});
