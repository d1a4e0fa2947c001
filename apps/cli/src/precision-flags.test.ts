import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { runWeft as weft } from './test-support/run-weft.js';

// `--precision` and `--half-storage` / `--no-half-storage`: `weft plan` plans for them without a
// GPU (the arena it prints, the WGSL's storage types); bad combinations are refused, naming the
// flag, before anything is compiled. The device side is in `precision-flags.gpu.test.ts`.
const tiny = fileURLToPath(new URL('../examples/tiny-decoder.json', import.meta.url));

/** The arena bytes and kernel count `weft plan` prints on its summary line. */
function planSummary(stdout: string): { kernels: number; arenaKiB: number; header: string } {
  const match = /kernel plan \((.*)\): \d+ IR ops -> (\d+) kernels, .*arena ([\d.]+) KiB/.exec(stdout);
  expect(match, stdout).not.toBeNull();
  return { header: match![1]!, kernels: Number(match![2]), arenaKiB: Number(match![3]) };
}

describe('weft plan --precision', () => {
  it('f16 plans f16 storage by default: array<f16> bindings, a smaller arena; --no-half-storage opts out', {
    timeout: 120_000,
  }, async () => {
    const f32 = await weft('plan', tiny);
    const f16 = await weft('plan', tiny, '--precision', 'f16', '--wgsl');
    const optOut = await weft('plan', tiny, '--precision', 'f16', '--no-half-storage', '--wgsl');
    for (const run of [f32, f16, optOut]) expect(run.code, run.stderr).toBe(0);
    const full = planSummary(f32.stdout);
    const half = planSummary(f16.stdout);
    const kept = planSummary(optOut.stdout);
    expect(full.header).toBe('decode step, KV cache on the device');
    expect(half.header).toContain('precision f16, f16 storage of the intermediates and weights');
    expect(kept.header).toContain('precision f16, f32 storage');
    expect(half.kernels).toBe(full.kernels);
    // The weights and intermediates halve; the KV caches, inputs and logits stay f32.
    expect(half.arenaKiB).toBeLessThan(full.arenaKiB * 0.8);
    expect(kept.arenaKiB).toBe(full.arenaKiB);
    expect(f16.stdout).toMatch(/^enable f16;$/m);
    // A weight of the first layer, bound as f16.
    expect(f16.stdout).toMatch(/in_layers_0_attn_qkv_weight: array<f16>;|in_layers_0_\w+: array<f16>;/);
    expect(optOut.stdout).toMatch(/^enable f16;$/m);
    expect(optOut.stdout).not.toContain('array<f16>');
  });

  it('f16-emulated keeps f32 storage by default; --half-storage packs two f16 in a u32 word', {
    timeout: 120_000,
  }, async () => {
    const f32 = planSummary((await weft('plan', tiny)).stdout);
    const plain = await weft('plan', tiny, '--precision', 'f16-emulated');
    const packed = await weft('plan', tiny, '--precision', 'f16-emulated', '--half-storage', '--wgsl');
    expect(planSummary(plain.stdout).header).toContain('precision f16-emulated, f32 storage');
    expect(planSummary(plain.stdout).arenaKiB).toBe(f32.arenaKiB);
    expect(planSummary(packed.stdout).header).toContain(
      'precision f16-emulated, f16 storage of the intermediates and weights',
    );
    expect(planSummary(packed.stdout).arenaKiB).toBeLessThan(f32.arenaKiB * 0.8);
    expect(packed.stdout).toContain('unpack2x16float(');
    expect(packed.stdout).toContain('array<atomic<u32>>');
    expect(packed.stdout).not.toContain('enable f16');
  });
});

describe('bad precision flags are refused before compiling', () => {
  const CASES: readonly (readonly [args: readonly string[], message: string])[] = [
    [['plan', tiny, '--precision', 'f64'], '--precision must be one of f32, f16, f16-emulated, got f64'],
    [['run', tiny, '--precision', 'half'], '--precision must be one of f32, f16, f16-emulated, got half'],
    [['bench', tiny, '--precision', 'bf16'], '--precision must be one of f32, f16, f16-emulated, got bf16'],
    [['run', tiny, '--half-storage'], '--half-storage needs --precision f16 or f16-emulated'],
    [
      ['plan', tiny, '--precision', 'f32', '--half-storage'],
      '--half-storage needs --precision f16 or f16-emulated',
    ],
    [
      ['run', tiny, '--device', 'cpu', '--precision', 'f16-emulated'],
      '--precision f16-emulated needs a WebGPU device',
    ],
    [['bench', tiny, '--device', 'cpu', '--precision', 'f16'], '--precision f16 needs a WebGPU device'],
  ];
  for (const [args, message] of CASES) {
    it(`weft ${args.join(' ').replace(tiny, 'tiny-decoder.json')}`, async () => {
      const { code, stderr, stdout } = await weft(...args);
      expect(code).toBe(1);
      expect(stderr).toContain(message);
      expect(stdout).not.toContain('generated');
    });
  }

  it('the help of run, bench and plan lists the flags', async () => {
    // cac prints the help with console.info.
    const printed: string[] = [];
    const info = vi.spyOn(console, 'info').mockImplementation((text: string) => printed.push(text));
    try {
      for (const command of ['run', 'bench', 'plan']) {
        printed.length = 0;
        expect((await weft(command, '--help')).code).toBe(0);
        expect(printed.join('\n')).toContain('--precision <precision>');
        expect(printed.join('\n')).toContain('--half-storage');
      }
    } finally {
      info.mockRestore();
    }
  });
});
