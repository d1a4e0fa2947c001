import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSafetensors } from '@weft/models';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runCli } from './cli.js';

// The CLI's answers to bad input: exit code 1 and one message naming the flag and what it allows,
// given before anything is compiled or weights are read (so no GPU is needed).

const tiny = fileURLToPath(new URL('../examples/tiny-decoder.json', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'weft-cli-errors-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function writeScratch(name: string, content: string | Uint8Array): string {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
}

const weights = writeScratch(
  'model.safetensors',
  writeSafetensors({ w: { dtype: 'F32', shape: [2], data: [1, 2] } }),
);
const blob = writeScratch('blob.bin', new Uint8Array([0x7b, 0x22, 0x00, 0x01, 0x02]));
const PASS_INSTEAD =
  'pass a model spec JSON or a Hugging Face model directory, and the weights with --weights';

/** Runs the CLI in this process and returns its exit code and stderr. */
async function weft(args: readonly string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    const code = await runCli(args, { out: (line) => out.push(line), err: (line) => err.push(line) });
    return { code, stderr: err.join('\n'), stdout: out.join('\n') };
  } finally {
    log.mockRestore();
  }
}

const CASES: readonly (readonly [args: readonly string[], message: string])[] = [
  [['run', tiny, '--tokens', '-3'], '--tokens must be an integer ≥ 1, got -3'],
  [['run', tiny, '--tokens=0'], '--tokens must be an integer ≥ 1, got 0'],
  [['run', tiny, '--tokens', '2.5'], '--tokens must be an integer ≥ 1, got 2.5'],
  [['run', tiny, '--tokens', 'many'], '--tokens must be an integer ≥ 1, got many'],
  [['run', tiny, '--max-seq', '0'], '--max-seq must be an integer ≥ 1, got 0'],
  [['run', tiny, '--seed', '-1'], '--seed must be an integer ≥ 0, got -1'],
  [['run', tiny, '--sample-seed', '0.5'], '--sample-seed must be an integer ≥ 0, got 0.5'],
  [['run', tiny, '--top-p', '3'], '--top-p must be a number in (0, 1], got 3'],
  [['run', tiny, '--top-p', '0'], '--top-p must be a number in (0, 1], got 0'],
  [['run', tiny, '--temperature', '-0.5'], '--temperature must be a number ≥ 0, got -0.5'],
  [['run', tiny, '--top-k', '0'], '--top-k must be an integer ≥ 1, got 0'],
  [['run', tiny, '--device', 'gpu'], '--device must be one of auto, cpu, got gpu'],
  // Checked before the weights are read: the bad --top-p is reported, not the weights.
  [['run', tiny, '--weights', weights, '--top-p', '1.5'], '--top-p must be a number in (0, 1], got 1.5'],
  [
    ['run', tiny, '--prompt', '1 two 3'],
    '--prompt: token 2 "two" is not an integer token id; pass text with a tokenizer directory (weft run ./model-dir --prompt "text")',
  ],
  [['run', tiny, '--prompt', '1 99'], '--prompt: token 2 (99) is outside the vocabulary: ids are 0..63'],
  [['run', tiny, '--prompt', '-1'], '--prompt: token 1 (-1) is outside the vocabulary: ids are 0..63'],
  // An empty prompt is an error, not token 0 (cac alone reads "" as the number 0).
  [
    ['run', tiny, '--prompt', ''],
    '--prompt is empty: give token ids ("1 2 3"), or text for a model directory with a tokenizer.json',
  ],
  [
    ['run', tiny, '--prompt=  '],
    '--prompt is empty: give token ids ("1 2 3"), or text for a model directory with a tokenizer.json',
  ],
  // Values stay the text typed, and token ids are decimal: "1e3" is not 1000, nor "0x3" 3.
  [
    ['run', tiny, '--prompt', '1e3'],
    '--prompt: token 1 "1e3" is not an integer token id; pass text with a tokenizer directory (weft run ./model-dir --prompt "text")',
  ],
  [
    ['run', tiny, '--prompt', '0x3'],
    '--prompt: token 1 "0x3" is not an integer token id; pass text with a tokenizer directory (weft run ./model-dir --prompt "text")',
  ],
  [['bench', tiny, '--repeats', '0'], '--repeats must be an integer ≥ 1, got 0'],
  [['bench', tiny, '--prompt', '-4'], '--prompt must be an integer ≥ 1, got -4'],
  [['plan', weights], `${weights} is a safetensors weights file; ${PASS_INSTEAD}`],
  [['run', weights], `${weights} is a safetensors weights file; ${PASS_INSTEAD}`],
  [['plan', blob], `${blob} is a binary file, not a JSON model spec; ${PASS_INSTEAD}`],
];

describe('weft: bad input exits with 1 and names the flag and what it allows', () => {
  it.each(CASES)('weft %j', async (args, message) => {
    const { code, stderr, stdout } = await weft(args);
    expect(stderr).toBe(`weft: error: ${message}`);
    expect(code).toBe(1);
    expect(stdout).toBe('');
  });

  it('weft zoo --only names the command, the closest ids and every id, wrapped', async () => {
    const { code, stderr } = await weft(['zoo', '--cpu', '--only', 'LayerNrom']);
    expect(code).toBe(1);
    const [first, second, ...ids] = stderr.split('\n');
    expect(first).toBe('weft zoo: --only "LayerNrom" names no zoo entry; did you mean "layer-norm"?');
    expect(second).toMatch(/^the \d+ zoo ids:$/);
    expect(ids[0]).toMatch(/^ {2}layer-norm, rms-norm, /);
    for (const line of ids) expect(line.length).toBeLessThanOrEqual(100);
  });

  it('a misspelled command or option exits with 2 and suggests the nearest names', async () => {
    expect(await weft(['rn', tiny])).toMatchObject({
      code: 2,
      stderr: 'weft: unknown command "rn"; did you mean "run"?\nRun `weft --help` for the commands.',
    });
    expect(await weft(['benchmark', tiny])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^weft: unknown command "benchmark"; did you mean "bench"\?/),
    });
    expect(await weft(['run', tiny, '--tokns', '3'])).toMatchObject({
      code: 2,
      stderr: 'weft: Unknown option `--tokns`; did you mean "--tokens"?\nRun `weft --help` for usage.',
    });
    expect(await weft(['run', tiny, '--top-pp', '0.5'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(
        /^weft: Unknown option `--topPp`; did you mean "--top-p"( or "--top-k")?\?/,
      ),
    });
    expect(await weft(['--hlep'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^weft: Unknown option `--hlep`; did you mean "--help"\?/),
    });
    // Nothing near: no suggestion.
    expect(await weft(['run', tiny, '--xyzzy'])).toMatchObject({
      code: 2,
      stderr: 'weft: Unknown option `--xyzzy`\nRun `weft --help` for usage.',
    });
  });

  it('weft zoo --runs -3 is a wrong value of --runs, not an unknown option -3', async () => {
    expect(await weft(['zoo', '--cpu', '--runs', '-3'])).toMatchObject({
      code: 2,
      stderr: 'weft zoo: --runs must be an integer ≥ 5 (got -3)',
    });
  });
});
