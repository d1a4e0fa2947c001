import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSafetensors } from '@weft/models';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runCli } from './cli.js';

const bin = fileURLToPath(new URL('../bin/weft.mjs', import.meta.url));
const example = fileURLToPath(new URL('../examples/small-decoder.json', import.meta.url));
const tiny = fileURLToPath(new URL('../examples/tiny-decoder.json', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'weft-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs the real `weft` executable (node → tsx → src/main.ts) and captures its output. */
function weft(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the CLI in this process (faster than spawning), capturing its lines. */
async function weftInProcess(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string; progress: string }> {
  const out: string[] = [];
  const err: string[] = [];
  let progress = '';
  // cac prints help and version with console.info.
  const info = vi.spyOn(console, 'info').mockImplementation((text: string) => out.push(text));
  try {
    const code = await runCli(args, {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      progress: { isTTY: true, write: (text) => (progress += text) },
    });
    return { code, stdout: out.join('\n'), stderr: err.join('\n'), progress };
  } finally {
    info.mockRestore();
  }
}

function writeScratch(name: string, content: string | Uint8Array): string {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
}

describe('weft (the executable)', () => {
  it('--help lists every command', () => {
    const { code, stdout } = weft('--help');
    expect(code).toBe(0);
    for (const command of ['plan <spec>', 'run <model>', 'bench', 'zoo']) expect(stdout).toContain(command);
  });

  it('plan prints a summary of a valid spec, with its parameter count', () => {
    const { code, stdout } = weft('plan', example);
    expect(code).toBe(0);
    expect(stdout).toContain('valid');
    expect(stdout).toContain('8 heads × 16, 2 KV heads (GQA, 4 per group)');
    // 256·128 embedding + 4 layers × (40960 attention + 3·128·344 MLP + 2·128 gains) + 128 + 256·128 head.
    const expected = 256 * 128 + 4 * (128 * 16 * (2 * 8 + 2 * 2) + 3 * 128 * 344 + 2 * 128) + 128 + 256 * 128;
    expect(stdout).toContain(`parameters    ${expected.toLocaleString('en-US')}`);
  });

  it('a bad spec exits with 1 and gives the JSON path', () => {
    const spec = readExample();
    spec.config.kvHeads = 3;
    const { code, stdout, stderr } = weft('plan', writeScratch('bad.json', JSON.stringify(spec)));
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('config.kvHeads: expected a positive integer dividing heads (8), got 3');
  });

  it('exits with 2 on a wrong command line', () => {
    const { code, stderr } = weft('frobnicate');
    expect(code).toBe(2);
    expect(stderr).toContain('unknown command "frobnicate"');
  });
});

describe('weft (in process)', () => {
  it('plan --help and run --help describe their options', async () => {
    expect((await weftInProcess('plan', '--help')).stdout).toContain('--json');
    expect((await weftInProcess('run', '--help')).stdout).toContain('--weights <file>');
  });

  it('plan --json prints the normalized spec, which plans again to the same text', async () => {
    const first = await weftInProcess('plan', '--json', example);
    expect(first.code).toBe(0);
    const again = await weftInProcess('plan', '--json', writeScratch('normalized.json', first.stdout));
    expect(again.stdout).toBe(first.stdout);
  });

  it('reports every field problem with its path', async () => {
    const spec = readExample();
    spec.config.mlp.kind = 'relu';
    spec.config.layers = 0;
    const { code, stderr } = await weftInProcess(
      'plan',
      writeScratch('bad-fields.json', JSON.stringify(spec)),
    );
    expect(code).toBe(1);
    expect(stderr).toContain('config.mlp.kind: expected ("swiglu" | "geglu" | "gelu"), got "relu"');
    expect(stderr).toContain('config.layers: expected a positive integer, got 0');
  });

  it('exits with 1 on a missing file or text that is not JSON', async () => {
    const missing = await weftInProcess('plan', join(scratch, 'absent.json'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read spec file ".*absent.json": ENOENT/);
    const notJson = await weftInProcess('plan', writeScratch('broken.json', '{"schemaVersion": 1,'));
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toContain('model spec is not valid JSON');
  });

  it('exits with 2 on missing arguments, unknown options and no command', async () => {
    expect(await weftInProcess('plan')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('missing required args'),
    });
    const bogus = await weftInProcess('plan', '--bogus', example);
    expect(bogus).toMatchObject({ code: 2, stderr: expect.stringContaining('Unknown option `--bogus`') });
    expect((await weftInProcess()).code).toBe(2);
    expect(await weftInProcess('zoo', '--cpu', '--runs', '3')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--runs must be an integer ≥ 5'),
    });
  });

  it('plan prints the kernel plan: IR ops -> kernels, bytes, and the WGSL with --wgsl', async () => {
    const { code, stdout } = await weftInProcess('plan', tiny);
    expect(code).toBe(0);
    const summary = /(\d+) IR ops -> (\d+) kernels, (\d+) dispatches per token, arena [\d.]+ KiB/.exec(
      stdout,
    );
    expect(summary).not.toBeNull();
    const kernels = Number(summary![2]);
    expect(Number(summary![1])).toBeGreaterThan(kernels);
    expect(stdout.match(/^ {2}kernel \d+:/gm)).toHaveLength(kernels);
    const withWgsl = await weftInProcess('plan', '--wgsl', tiny);
    expect(withWgsl.stdout.match(/@compute @workgroup_size/g)).toHaveLength(kernels);
    // The user's block names reach the plan, the kernels' headers and the WGSL bindings (attention reads
    // the packed qkv through a view); no hashes.
    expect(stdout).toContain('block="layers.0.attn"');
    expect(withWgsl.stdout).toContain('// Weft kernel 2: layers.0.attn - attention (');
    for (const name of ['in_layers_0_attn_qkv', 'out_layers_0_attn_out', 'out_layers_0_mlp_gateUp'])
      expect(withWgsl.stdout).toContain(`${name}: array<f32>;`);
    expect(withWgsl.stdout).not.toMatch(/#[0-9a-f]{6}|_[0-9a-f]{6}\b/);
  });

  it('plan --explain prints the cost model decisions for the adapter --adapter names', async () => {
    const software = await weftInProcess('plan', '--explain', '--adapter', 'software', example);
    expect(software.code).toBe(0);
    expect(software.stdout).toMatch(/fusion decisions \(cost model "software"\): \d+ matmul prologue\(s\)/);
    expect(software.stdout).toMatch(
      /matmul block="layers\.0\.attn\.qkv" A = .*: (fused|split): recomputing it/,
    );
    // A software adapter gives some prologues a kernel of their own; a hardware GPU fuses them.
    expect(software.stdout).toContain('split: recomputing it');
    const hardware = await weftInProcess('plan', '--explain', example);
    expect(hardware.stdout).toContain('fusion decisions (cost model "hardware")');
    expect(hardware.stdout).not.toContain('split: recomputing it');
    expect(await weftInProcess('plan', '--adapter', 'bogus', example)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('--adapter must be hardware or software'),
    });
  });

  it('bench measures the model fused and unfused on the CPU backend and writes JSON', async () => {
    const json = join(scratch, 'bench.json');
    const { code, stdout } = await weftInProcess(
      'bench',
      tiny,
      '--device',
      'cpu',
      '--repeats',
      '1',
      '--prompt',
      '3',
      '--json',
      json,
    );
    expect(code).toBe(0);
    expect(stdout).toContain('median ± MAD of 1 runs after a warm-up, fused and unfused interleaved');
    expect(stdout).toMatch(/^fused\s+cpu\s+[\d.]+ ± [\d.]+\s+[\d.]+ ± [\d.]+\s+\d+/m);
    expect(stdout).toMatch(/^unfused\s+cpu/m);
    const rows = JSON.parse(readFileSync(json, 'utf8')) as {
      variant: string;
      prefillMs: number;
      prefillMadMs: number;
      runs: number;
    }[];
    expect(rows.map((row) => row.variant)).toEqual(['fused', 'unfused']);
    for (const row of rows) expect(row).toMatchObject({ runs: 1, prefillMadMs: 0 });
    for (const row of rows) expect(row.prefillMs).toBeGreaterThan(0);
  });

  it('zoo runs the selected entries on the CPU backend', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const { code } = await weftInProcess(
        'zoo',
        '--cpu',
        '--only',
        'layer-norm',
        '--runs',
        '5',
        '--warmup',
        '1',
      );
      expect(code).toBe(0);
      expect(log.mock.calls.flat().join('\n')).toMatch(/LayerNorm\s+34/);
    } finally {
      log.mockRestore();
    }
  });

  it('zoo --budget prints the f32 error budget of the selected entries', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const { code } = await weftInProcess('zoo', '--cpu', '--budget', '--only', 'rms-norm');
      expect(code).toBe(0);
      const printed = log.mock.calls.flat().join('\n');
      expect(printed).toMatch(/^norm\s+rms-norm\s+offset\s+y\s/m);
      expect(printed).toMatch(/2 of 2 measured rows within the budget/);
    } finally {
      log.mockRestore();
    }
  });

  it('run compiles a tiny spec on the CPU and generates, drawing progress bars with counts and time', async () => {
    const { code, stdout, progress } = await weftInProcess(
      'run',
      tiny,
      '--device',
      'cpu',
      '--prompt',
      '3 1 4',
      '--tokens',
      '5',
    );
    expect(code).toBe(0);
    expect(stdout).toContain('backend: CPU reference interpreter');
    const generated = /generated \(5, maxTokens\): ((?:\d+ ?){5})$/m.exec(stdout);
    expect(generated).not.toBeNull();
    for (const id of generated![1]!.trim().split(' ')) expect(Number(id)).toBeLessThan(64);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing terminal escapes
    const drawn = progress.replace(/\u001b\[[0-9;?]*[A-Za-z]|\u001b[78]/g, '');
    expect(drawn).toMatch(/compiling \[█+\] 3\/3 stages \| \d+s \| ready/);
    expect(drawn).toMatch(/generating \[░+\] 0\/5 tokens \| \d+s \|/);
    expect(drawn).toMatch(/generating \[█+\] 5\/5 tokens \| \d+s \| maxTokens/);
    const again = await weftInProcess('run', tiny, '--device', 'cpu', '--prompt', '3 1 4', '--tokens', '5');
    expect(again.stdout).toBe(stdout.replace(/prefill .*$/m, again.stdout.match(/prefill .*$/m)![0]));
  });

  it('run rejects weights that do not fit the spec, naming the tensor', async () => {
    const weights = writeSafetensors({
      'model.embed_tokens.weight': { dtype: 'BF16', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] },
      'vision.patch': { dtype: 'F16', shape: [1], data: [1] },
    });
    const { code, stdout, stderr } = await weftInProcess(
      'run',
      tiny,
      '--device',
      'cpu',
      '--weights',
      writeScratch('w.safetensors', weights),
    );
    expect(code).toBe(1);
    expect(stdout).toContain('2 tensors, 7 values (BF16, F16; 28 B loaded)');
    expect(stderr).toContain('vision.patch');
  });

  it('run rejects a prompt outside the vocabulary', async () => {
    const { code, stderr } = await weftInProcess('run', tiny, '--device', 'cpu', '--prompt', '1 99');
    expect(code).toBe(1);
    expect(stderr).toContain('--prompt: token 2 (99) is outside the vocabulary: ids are 0..63');
  });

  it('run rejects a malformed weights file with exit code 1 and the tensor named', async () => {
    const good = writeSafetensors({ w: { dtype: 'F32', shape: [4], data: [1, 2, 3, 4] } });
    const { code, stderr } = await weftInProcess(
      'run',
      example,
      '--weights',
      writeScratch('cut.safetensors', good.subarray(0, -4)),
    );
    expect(code).toBe(1);
    expect(stderr).toContain('tensor "w": safetensors: data_offsets reach past the end of the data section');
  });
});

// biome-ignore lint/suspicious/noExplicitAny: the example is edited freely to make it invalid.
function readExample(): any {
  return JSON.parse(readFileSync(example, 'utf8'));
}
