import {
  add,
  gelu,
  input,
  matmul,
  mean,
  mul,
  type Node,
  param,
  rsqrt,
  sub,
  symbolicDim,
  UnsupportedError,
} from '@weft/ir';
import { describe, expect, test } from 'vitest';
import { F16_PROFILE, makeKernel } from '../test/kernel-fixtures.js';
import { generateKernel } from './generate-kernel.js';
import { DEFAULT_DEVICE_PROFILE, type DeviceProfile } from './generated-kernel.js';
import { withoutHalfTier } from './testing/half-tier.js';

const seq = symbolicDim('seq', { max: 128 });

function layerNormKernel(dtype: 'f32' | 'f16' = 'f32') {
  const h = input('h', [seq, 64], dtype);
  const centered = sub(h, mean(h, -1, { keepDims: true }));
  const variance = mean(mul(centered, centered), -1, { keepDims: true });
  return makeKernel('row', [mul(centered, rsqrt(add(variance, 1e-5)))], [h]);
}

function matmulKernel() {
  const a = input('a', [seq, 64]);
  const w = param('w', [64, 96]);
  const product = matmul(a, w);
  return makeKernel('matmul', [gelu(product)], [a, w], { anchor: product });
}

const KERNELS: [string, () => ReturnType<typeof makeKernel>][] = [
  ['LayerNorm row', () => layerNormKernel()],
  ['matmul + GELU', matmulKernel],
  [
    'elementwise',
    () => {
      const x = input('x', [seq, 8]);
      return makeKernel('elementwise', [gelu(x) as Node], [x]);
    },
  ],
];

const PROFILES: Record<string, DeviceProfile> = {
  hardware: F16_PROFILE,
  software: { ...F16_PROFILE, software: true },
};

describe('f16 tier hooks in the built-in templates', () => {
  for (const [label, make] of KERNELS) {
    for (const [profileName, profile] of Object.entries(PROFILES)) {
      test(`${label} (${profileName}): f16 and its emulation are one kernel; f32 is untouched`, () => {
        const f32 = generateKernel(make(), profile).wgsl;
        const real = generateKernel(make(), { ...profile, precision: 'f16' }).wgsl;
        const emulated = generateKernel(make(), { ...profile, precision: 'f16-emulated' }).wgsl;
        expect(f32).not.toMatch(/to_half|widen|alias half|enable f16/);
        expect(real).toMatch(/^enable f16;$/m);
        expect(real).toContain('alias half = f16;');
        expect(emulated).not.toContain('enable f16;');
        expect(emulated).toContain('return quantizeToF16(x);');
        expect(withoutHalfTier(real)).toBe(withoutHalfTier(emulated));
        // Every load of an f32 tensor and every store is rounded through f16.
        const loads = f32.match(/\bin_\w+\[/g)?.length ?? 0;
        expect(loads).toBeGreaterThan(0);
        expect(real.match(/widen\(to_half\(in_\w+\[/g)?.length).toBe(loads);
        expect(real).toMatch(/out_\w+\[[^\]]+\] = widen\(to_half\(/);
        // Accumulators and statistics stay f32.
        expect(real).not.toMatch(/var \w+: half|var \w+ = half/);
      });
    }
  }

  test('f16 tensors keep their own f16 path (no double rounding)', () => {
    const wgsl = generateKernel(layerNormKernel('f16'), { ...F16_PROFILE, precision: 'f16' }).wgsl;
    expect(wgsl).toContain('let stat0: f16 = f16(total0 / f32(64));');
    expect(wgsl).not.toMatch(/to_half\(in_h\[/);
  });

  test('precision f16 without shader-f16 is an UnsupportedError naming the feature', () => {
    const render = () => generateKernel(matmulKernel(), { ...DEFAULT_DEVICE_PROFILE, precision: 'f16' });
    expect(render).toThrow(UnsupportedError);
    expect(render).toThrow(/shader-f16/);
    expect(
      generateKernel(matmulKernel(), { ...DEFAULT_DEVICE_PROFILE, precision: 'f16-emulated' }).wgsl,
    ).toContain('quantizeToF16');
  });
});
